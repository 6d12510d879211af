"""The roles a user holds, and what the access rules read of a user.

The role field of `households.User` takes its choices from here.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", _("社工/网格员")
    STREET_STAFF = "street_staff", _("街道工作人员")
    DISTRICT_ADMIN = "district_admin", _("区民政局管理员")
    PROVIDER = "provider", _("服务机构/志愿者")
    AUDITOR = "auditor", _("督查")


class SignedIn(Protocol):
    """A signed-in user as the rules read it (`households.User`, which this package does not
    import: it sits below the registry). An anonymous user or None acts on nothing."""

    pk: Any
    role: str
    area_id: int | None
    area: Any  # `.prefix` (the scope) and `.level` ("district", "street", …)
    is_authenticated: bool
    is_active: bool
    is_superuser: bool
