"""The words needs and resources share: need types and subtypes (需求清单 ↔ 供给清单).

They live here, below both apps: a resource says which needs it meets, a need says what it
is, and the matching engine reads both without importing any model.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NeedType(models.TextChoices):
    SURVIVAL = "survival", _("生存型")
    CARE = "care", _("关爱型")
    DEVELOPMENT = "development", _("发展型")


class NeedSubtype(models.TextChoices):
    LIVING = "living", _("基本生活")
    MEDICAL = "medical", _("医疗")
    HOUSING = "housing", _("住房")
    GOODS = "goods", _("物资")
    COMPANIONSHIP = "companionship", _("陪伴关爱")
    DAILY_CARE = "daily_care", _("生活照料")
    PSYCHOLOGICAL = "psychological", _("心理疏导")
    REHABILITATION = "rehabilitation", _("康复护理")
    SCHOOLING = "schooling", _("就学")
    EMPLOYMENT = "employment", _("就业")
    SKILLS = "skills", _("技能培训")
    LEGAL = "legal", _("法律援助")
    OTHER = "other", _("其他")


# Which subtypes a need of each type may have.
SUBTYPES_BY_TYPE: dict[str, tuple[str, ...]] = {
    NeedType.SURVIVAL: ("living", "medical", "housing", "goods", "legal", "other"),
    NeedType.CARE: (
        "companionship",
        "daily_care",
        "psychological",
        "rehabilitation",
        "medical",
        "other",
    ),
    NeedType.DEVELOPMENT: ("schooling", "employment", "skills", "legal", "other"),
}

# Labels of the five categories (mirrors households.Category.Code, without importing models).
CATEGORY_LABELS = {
    "dibao": _("低保"),
    "dibian": _("低边"),
    "tekun": _("特困"),
    "zhichu": _("支出型"),
    "linshi": _("临时救助"),
}


def list_ledger_name(pool_list: str) -> str:
    """The name (in URLs) of the ledger that exports one of the pool's five lists.

    Here rather than in resources/ledgers.py: importing that module registers its ledgers, which
    must wait for the ledgers' discovery so that the page lists them in the apps' order.
    """
    return "pool-" + pool_list.replace("_", "-")
