"""The ledger machinery's records: export jobs and import batches.

They moved here from core and keep their tables (core_exportjob, core_importbatch): the move
changed Django's state only, so no row was copied and no table renamed. The ledgers themselves
(columns, queries) live with the app whose rows they carry (households/ledgers/, cases/ledgers.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import PublicModel


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
        db_table = "core_exportjob"
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
        db_table = "core_importbatch"
        verbose_name = _("台账导入")
        verbose_name_plural = _("台账导入")

    def __str__(self) -> str:
        return f"{self.original_name} {self.status}"
