"""What the ledgers share: the one rule of "active on a day" (also the dashboard's), and the
four household columns every row-per-person or row-per-event ledger starts with."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from households.models import Enrolment
from ledgers.definitions import Column, end_of_day

E = Enrolment.Status


def enrolment_active_on(day: dt.date, prefix: str = "") -> Q:
    """Enrolments active on `day` (see the module docstring); `prefix` for a related path."""
    p = prefix
    dates = Q(**{f"{p}start_date__lte": day}) & (
        Q(**{f"{p}end_date__isnull": True}) | Q(**{f"{p}end_date__gte": day})
    )
    running = Q(**{f"{p}status__in": [E.APPROVED, E.ENDED]}) | Q(
        **{f"{p}status": E.SUSPENDED, f"{p}decided_at__gte": end_of_day(day)}
    )
    return dates & running


def placed_column() -> Column:
    """The note on a month-close ledger of the rows placed by their own dates."""
    return Column(
        "placed",
        _("按自身日期推定"),
        "placed",
        width=10,
        help=_(
            "按截至日期导出时，截至日早于该行的变更记录（如系统上线或导入之前）的行，"
            "按其自身日期（救助认定的起止日期、登记日期）推定为当时已在册，此列为“是”"
        ),
        trusted=True,
    )


def household_columns(path: str = "household__") -> list[Column]:
    """区划代码, 社区/网格, 家庭住址, 户主姓名 of the household at `path`."""
    return [
        Column("area_code", _("区划代码"), f"{path}area__code", trusted=True),
        Column("area_name", _("社区/网格"), f"{path}area__name"),
        Column("address", _("家庭住址"), f"{path}address", width=30),
        Column("head_name", _("户主姓名"), f"{path}head__name", width=10),
    ]


def household_exprs(path: str = "household__") -> list[F]:
    """The values of `household_columns(path)`, in SQL."""
    return [
        F(f"{path}area__code"),
        F(f"{path}area__name"),
        F(f"{path}address"),
        F(f"{path}head__name"),
    ]
