"""Case work: visits, risk-tier rules, the follow-up schedule, hardship alerts, service counts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models import Q
from django.utils.functional import LazyObject
from django.utils.translation import gettext_lazy as _

from core.history import tracked
from core.models import PublicModel
from households.models import Area, Household


class Tier(models.TextChoices):
    A = "A", _("A类（每月）")
    B = "B", _("B类（每季度）")
    C = "C", _("C类（每半年）")


@tracked()
class TierRule(PublicModel):
    """One rule of the risk tiers, kept as data so a district admin changes it without a deploy.

    `code` names a predicate of the fixed catalogue in cases/predicates.py and `params` fills
    it in (a category, an age, a number of days). A household takes the most urgent tier of
    the active rules it meets; within a tier the lowest `priority` names the reason shown.
    """

    code = models.CharField(_("判定条件"), max_length=32)
    name = models.CharField(_("规则名称"), max_length=100)
    tier = models.CharField(_("风险分层"), max_length=1, choices=Tier.choices)
    interval_months = models.PositiveSmallIntegerField(_("跟进间隔（月）"))
    params = models.JSONField(_("参数"), default=dict, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    priority = models.PositiveSmallIntegerField(_("优先级"), default=100)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["tier", "priority", "id"]
        verbose_name = _("分层规则")
        verbose_name_plural = _("分层规则")
        constraints = [
            models.CheckConstraint(
                condition=Q(interval_months__gte=1) & Q(interval_months__lte=24),
                name="tierrule_interval_1_to_24_months",
                violation_error_message=_("跟进间隔应在1到24个月之间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tier} · {self.name}"


@tracked()
class Visit(PublicModel):
    """One contact with a household (入户走访/电话/微信/来访) and what was found."""

    class Method(models.TextChoices):
        HOME = "home", _("入户")
        PHONE = "phone", _("电话")
        WECHAT = "wechat", _("微信")
        WALK_IN = "walk_in", _("来访")

    class Finding(models.TextChoices):
        GOOD = "good", _("良好")
        FAIR = "fair", _("一般")
        CONCERN = "concern", _("困难")
        UNKNOWN = "", _("未了解")

    # Indexed by the composite indexes below, not one of their own: with 2,000,000 visits,
    # every index is paid for on each insert.
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("家庭"),
        db_index=False,
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("走访社工"),
        db_index=False,
    )
    companions = models.CharField(_("同行人员"), max_length=200, blank=True)
    method = models.CharField(_("走访方式"), max_length=16, choices=Method.choices)
    visited_at = models.DateTimeField(_("走访时间"))
    # The local (Asia/Shanghai) date of visited_at: 23:30 on the 5th is the 5th.
    visit_date = models.DateField(_("走访日期"))
    living_status = models.CharField(
        _("基本生活"), max_length=8, choices=Finding.choices, blank=True
    )
    living_note = models.TextField(_("基本生活情况"), blank=True)
    housing_status = models.CharField(_("住房"), max_length=8, choices=Finding.choices, blank=True)
    housing_note = models.TextField(_("住房情况"), blank=True)
    health_status = models.CharField(_("健康"), max_length=8, choices=Finding.choices, blank=True)
    health_note = models.TextField(_("健康情况"), blank=True)
    employment_status = models.CharField(
        _("就业"), max_length=8, choices=Finding.choices, blank=True
    )
    employment_note = models.TextField(_("就业情况"), blank=True)
    schooling_status = models.CharField(
        _("就学"), max_length=8, choices=Finding.choices, blank=True
    )
    schooling_note = models.TextField(_("就学情况"), blank=True)
    mood_status = models.CharField(
        _("情绪与家庭关系"), max_length=8, choices=Finding.choices, blank=True
    )
    mood_note = models.TextField(_("情绪与家庭关系情况"), blank=True)
    # Until matching/ keeps a needs list, the needs noticed are kept here as text.
    needs_noted = models.TextField(_("发现的需求"), blank=True)
    changes_summary = models.TextField(_("家庭变化"), blank=True, editable=False)
    # Made on the worker's device when the form opens: a double tap, a retry or the outbox
    # sending it again finds the visit already stored instead of making a second one.
    client_id = models.UUIDField(_("设备端编号"), null=True, blank=True, editable=False)
    # Household changes typed offline that met someone else's change to the same field:
    # [{"member", "name", "field", "label", "base", "mine", "theirs"}], kept until the worker
    # settles them (cases.services.visit_conflicts_settle); the visit itself is kept either way.
    conflicts = models.JSONField(
        _("待处理冲突"),
        default=list,
        # Rows written without the ORM (COPY in seed_visits, the bench's loads) get [] too.
        db_default=models.Value([], output_field=models.JSONField()),
        blank=True,
        editable=False,
    )

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "client_id"],
                condition=Q(client_id__isnull=False),
                name="visit_stored_once",
            )
        ]
        indexes = [
            # Last contact per household (the nightly job) and a household's timeline.
            models.Index(fields=["household", "-visited_at"], name="visit_household_latest"),
            models.Index(fields=["worker", "visit_date"], name="visit_worker_date"),
        ]

    def __str__(self) -> str:
        return f"{self.visit_date} {self.get_method_display()}"


# The six areas of life a visit looks at: (prefix of the two fields, label).
FINDING_AREAS: list[tuple[str, str]] = [
    ("living", _("基本生活")),
    ("housing", _("住房")),
    ("health", _("健康")),
    ("employment", _("就业")),
    ("schooling", _("就学")),
    ("mood", _("情绪与家庭关系")),
]


@tracked()
class FollowUp(PublicModel):
    """The next contact a household is due, with its tier and who is to make it.

    At most one is open per household (a partial unique index). The nightly job and
    visit_log keep it; completed and cancelled ones stay as history.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("待跟进")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    # The nightly job writes these by the 100,000: only the indexes in Meta, which serve
    # its upsert, the worklists and the household page, are kept up to date.
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="followups",
        verbose_name=_("家庭"),
        db_index=False,
    )
    due = models.DateField(_("应跟进日期"))
    tier = models.CharField(_("风险分层"), max_length=1, choices=Tier.choices)
    rule = models.ForeignKey(
        TierRule,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("分层依据"),
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followups",
        verbose_name=_("负责社工"),
        db_index=False,
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    overdue = models.BooleanField(_("已逾期"), default=False)
    # Set by street staff: the job keeps their choice while that worker can still take it.
    reassigned = models.BooleanField(_("人工指派"), default=False)
    visit = models.ForeignKey(
        Visit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="completed_followups",
        verbose_name=_("完成走访"),
        db_index=False,
    )
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("跟进计划")
        verbose_name_plural = _("跟进计划")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(status="open"),
                name="followup_one_open_per_household",
                violation_error_message=_("每户最多只能有一条待跟进计划。"),
            ),
        ]
        indexes = [
            models.Index(
                fields=["assignee", "due"],
                condition=Q(status="open"),
                name="followup_open_by_worker",
            ),
            models.Index(fields=["due"], condition=Q(status="open"), name="followup_open_by_due"),
            models.Index(fields=["household", "-id"], name="followup_household"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.due} {self.status}"


@tracked()
class HardshipAlert(PublicModel):
    """急难: a sudden event in a household. It puts the household in tier A (rule
    `hardship_alert`) and brings its follow-up forward to within a few days."""

    class Kind(models.TextChoices):
        ILLNESS = "illness", _("突发重病")
        ACCIDENT = "accident", _("意外事故")
        DISASTER = "disaster", _("自然灾害")
        DEATH = "death", _("家庭成员死亡")
        JOB_LOSS = "job_loss", _("失业")

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="hardship_alerts", verbose_name=_("家庭")
    )
    kind = models.CharField(_("急难类型"), max_length=16, choices=Kind.choices)
    occurred_on = models.DateField(_("发生日期"))
    note = models.TextField(_("情况说明"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("报告人"),
    )
    resolved_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("解除人"),
    )

    class Meta:
        verbose_name = _("急难情况")
        verbose_name_plural = _("急难情况")
        indexes = [
            models.Index(
                fields=["household", "created_at"],
                condition=Q(resolved_at__isnull=True),
                name="hardship_unresolved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"


@tracked()
class ServiceActivity(PublicModel):
    """Social-work services as workers report them: 个案, 小组 (sessions, attendees), 社区活动."""

    class Kind(models.TextChoices):
        CASE = "case", _("个案")
        GROUP = "group", _("小组")
        COMMUNITY = "community", _("社区活动")

    kind = models.CharField(_("服务类型"), max_length=16, choices=Kind.choices)
    date = models.DateField(_("服务日期"))
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("服务社区")
    )
    area_code = models.CharField(max_length=15, editable=False)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_activities",
        verbose_name=_("社工"),
    )
    title = models.CharField(_("服务主题"), max_length=100)
    sessions = models.PositiveIntegerField(_("节数"), default=1)
    attendees = models.PositiveIntegerField(_("参与人数"), default=0)
    person_times = models.PositiveIntegerField(_("服务人次"), default=0)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("社工服务")
        verbose_name_plural = _("社工服务")
        indexes = [
            models.Index(
                OpClass("area_code", name="varchar_pattern_ops"), "date", name="activity_scope"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sessions__gte=1),
                name="activity_at_least_one_session",
                violation_error_message=_("节数至少为1。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date} {self.title}"


class _PhotoStorage(LazyObject):
    """settings.STORAGES["photos"], looked up when first used (and again after the setting
    changes: cases.apps resets it), not when the model class is built."""

    def _setup(self) -> None:
        from django.core.files.storage import storages

        self._wrapped = storages["photos"]


PHOTO_STORAGE = _PhotoStorage()


def photo_storage() -> Any:
    """The private storage of visit photos."""
    return PHOTO_STORAGE


def _photo_path(instance: VisitPhoto, filename: str) -> str:
    return f"visits/{instance.uuid.hex[:2]}/{instance.uuid.hex}.jpg"


class VisitPhoto(PublicModel):
    """A photo taken on a visit (housing, a document), re-encoded without its EXIF.

    Read only through cases.views.VisitPhotoView, after the household's scope check: the
    storage gives it no public URL.
    """

    class Kind(models.TextChoices):
        HOUSING = "housing", _("住房情况")
        DOCUMENT = "document", _("证件材料")
        OTHER = "other", _("其他")

    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, related_name="photos", verbose_name=_("走访记录")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", verbose_name=_("家庭")
    )
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    file = models.FileField(storage=photo_storage, upload_to=_photo_path, max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("走访照片")
        verbose_name_plural = _("走访照片")
