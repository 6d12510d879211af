"""The roles a user holds. The role field of `households.User` takes its choices from here."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", _("社工/网格员")
    STREET_STAFF = "street_staff", _("街道工作人员")
    DISTRICT_ADMIN = "district_admin", _("区民政局管理员")
    PROVIDER = "provider", _("服务机构/志愿者")
    AUDITOR = "auditor", _("督查")
