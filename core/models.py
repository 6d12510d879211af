"""Shared model pieces: the base model, the audit trail and the append-only access log."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class PublicModel(BaseModel):
    """A model addressed by a UUID in URLs and API payloads, never by its sequential id."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """One state change, written by the service that made it, in the same transaction."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verb = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.BigIntegerField()
    household_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")

    def __str__(self) -> str:
        return f"{self.verb} {self.object_type}#{self.object_id}"


class AccessLog(models.Model):
    """Reads that must leave a trace: identity-number reveals, exports, household views, logins.

    Append-only in the database itself: a trigger (migration 0003) rejects UPDATE and DELETE.

    `area_code` places an entry in the area tree, fixed when it is written, so that auditors
    and district admins search the entries of their own area (households/access_log.py): the
    household's area for anything about a household, else the acting user's area (logins,
    exports), else for a failed login the area of the user whose name was tried. An entry
    with no area (a name that is nobody's) is read at district level only.
    """

    class Action(models.TextChoices):
        REVEAL_ID = "reveal_id", _("查看完整身份证号")
        VIEW_HOUSEHOLD = "view_household", _("查看家庭档案")
        EXPORT = "export", _("导出台账")
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        EXPORT_ACCESS_LOG = "export_access_log", _("导出访问日志")
        PRINT_HOUSEHOLD = "print_household", _("下载家庭档案PDF")
        PRINT_VISIT = "print_visit", _("下载走访记录PDF")
        VIEW_PHONE = "view_phone", _("查看完整电话")
        VIEW_PHOTO = "view_photo", _("查看走访照片")
        VIEW_DOCUMENT = "view_document", _("查看申请材料")
        ID_NUMBER_CLASH = "id_number_clash", _("录入的身份证号已在其他地区登记")
        ID_NUMBER_CLASH_LIMITED = "id_number_clash_limited", _("身份证号查重次数超限")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    household_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    # db_default too: old code still running during a deploy inserts rows without the column.
    area_code = models.CharField(_("区划"), max_length=15, blank=True, default="", db_default="")

    class Meta:
        # Searches are newest first by id (keyset): each filter has an index ending in id,
        # so a page is an index range read backwards, however long the log grows.
        indexes = [
            models.Index(fields=["actor", "at"]),
            models.Index(fields=["action", "at"]),
            models.Index(fields=["username", "-id"], name="accesslog_user_recent"),
            models.Index(fields=["household_id", "-id"], name="accesslog_household_recent"),
            models.Index(fields=["action", "-id"], name="accesslog_action_recent"),
            models.Index(
                OpClass("area_code", name="varchar_pattern_ops"),
                F("id").desc(),
                name="accesslog_area",
            ),
        ]
        verbose_name = _("访问日志")
        verbose_name_plural = _("访问日志")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"
