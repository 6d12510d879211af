"""Shared model pieces: the base model, the audit trail and the append-only access log."""

from __future__ import annotations

import functools
import uuid
from typing import Any

from django.conf import settings
from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models import F
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _


@functools.cache
def _choice_labels(field: models.Field) -> dict[Any, Any]:
    """A field's choices as {value: label}, labels still lazy (translated when shown)."""
    return dict(make_hashable(field.flatchoices))


class BaseModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: models.Field) -> Any:  # noqa: N802 — Django's name
        """get_FOO_display() as Django's, without rebuilding the choices on every call.

        Django makes dict(make_hashable(field.flatchoices)) per call, which hashes (and so
        translates) every choice's label: 13–28 µs a call, ~6% of the household page's CPU
        (members, visits, needs). Our choices are fixed lists, so the dict is kept per field.
        """
        value = getattr(self, field.attname)
        label = _choice_labels(field).get(make_hashable(value), value)
        return force_str(label, strings_only=True)


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
    and district admins search the entries of their own area (core/access_log.py): the
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


# ---- ledgers (台账): export jobs and import batches ---------------------------------------
# The machinery that fills these lives in core/ledgers/; the ledgers themselves (columns,
# queries) live with the app whose rows they carry (households/ledgers.py, cases/ledgers.py, …).


class ExportJob(PublicModel):
    """A large ledger export written by a Celery job into a file the user downloads later."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导出中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")
        EXPIRED = "expired", _("已过期")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ledger = models.CharField(_("台账"), max_length=32)
    format = models.CharField(_("格式"), max_length=8, choices=Format.choices)
    filters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    as_of = models.DateField(_("截至日期"), null=True, blank=True)
    full_id_numbers = models.BooleanField(_("完整身份证号"), default=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    progress_rows = models.PositiveIntegerField(_("已写行数"), default=0)
    row_count = models.PositiveIntegerField(_("导出行数"), null=True, blank=True)
    file_name = models.CharField(_("文件"), max_length=200, blank=True)
    file_size = models.BigIntegerField(_("文件大小"), default=0)
    attempts = models.PositiveSmallIntegerField(_("执行次数"), default=0)
    error = models.TextField(_("错误"), blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        indexes = [
            models.Index(fields=["actor", "-created_at"], name="exportjob_actor_recent"),
            models.Index(fields=["status", "expires_at"], name="exportjob_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.ledger}.{self.format} {self.status}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, self.progress_rows * 100 // self.total_rows)


class ImportBatch(PublicModel):
    """One uploaded ledger file: its per-row validation report, then (on confirm) its rows."""

    class Status(models.TextChoices):
        VALIDATED = "validated", _("待确认")
        COMMITTED = "committed", _("已导入")
        FAILED = "failed", _("导入失败")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ledger = models.CharField(_("台账"), max_length=32)
    original_name = models.CharField(_("文件名"), max_length=200)
    file_name = models.CharField(_("文件"), max_length=200)
    sha256 = models.CharField(max_length=64)
    area_code = models.CharField(_("导入范围"), max_length=15, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.VALIDATED
    )
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    valid_rows = models.PositiveIntegerField(_("有效行数"), default=0)
    existing_rows = models.PositiveIntegerField(_("已存在行数"), default=0)
    error_rows = models.PositiveIntegerField(_("错误行数"), default=0)
    report = models.JSONField(_("校验报告"), default=dict, blank=True)
    created_counts = models.JSONField(_("导入结果"), default=dict, blank=True)
    committed_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("台账导入")
        verbose_name_plural = _("台账导入")

    def __str__(self) -> str:
        return f"{self.original_name} {self.status}"
