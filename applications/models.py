"""一门受理: applications, the responsibility list, the district's calendar days, documents,
investigations, notices (公示) and objections."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.postgres.indexes import OpClass
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import photo_storage
from core.models import BaseModel, PublicModel
from households.models import Area, Category, Household, Member


def _days(label: Any, default: int, most: int = 60) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label, default=default, validators=[MinValueValidator(1), MaxValueValidator(most)]
    )


class Responsibility(PublicModel):
    """One row of a district's 责任清单: a category, the department that handles it, its steps
    and time limits. The limits start at the national defaults (applications/defaults.py) and
    the district admin changes them for the district."""

    district = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="responsibilities",
        limit_choices_to={"level": Area.Level.DISTRICT},
        verbose_name=_("区/县"),
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("救助类别")
    )
    department = models.ForeignKey(
        "resources.Provider",
        on_delete=models.PROTECT,
        related_name="responsibilities",
        verbose_name=_("承办部门"),
    )
    steps = models.TextField(_("办理环节"), blank=True)
    accept_days = _days(_("受理时限（工作日）"), 3)
    investigate_days = _days(_("受理后开始调查时限（工作日）"), 3)
    notice_days = _days(_("公示天数"), 7, most=30)
    total_days = _days(_("受理后办结时限（工作日）"), 30)
    reject_notice_days = _days(_("不予批准书面通知时限（工作日）"), 3)
    investigation_required = models.BooleanField(_("须入户调查"), default=True)
    notice_required = models.BooleanField(_("须公示"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["district__code", "category__sort_order"]
        verbose_name = _("责任清单")
        verbose_name_plural = _("责任清单")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "category"],
                name="responsibility_one_per_category",
                violation_error_message=_("本区已有该救助类别的责任清单。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.category_id} → {self.department_id}"


class CalendarDay(BaseModel):
    """A district's own working day or holiday, over the official calendar."""

    district = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="calendar_days", verbose_name=_("区/县")
    )
    day = models.DateField(_("日期"))
    is_workday = models.BooleanField(_("上班"), default=False)
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("本区工作日调整")
        verbose_name_plural = _("本区工作日调整")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "day"],
                name="calendarday_one_per_day",
                violation_error_message=_("该日期已有调整。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {'+' if self.is_workday else '-'}"


class Application(PublicModel):
    """An application for assistance, from the window (or a visit, or a lead) to the decision.

    received → accepted → investigating → publicised (公示) → approved / rejected; a department
    may ask for more documents while it is received, and an objection during 公示 sends it
    back to investigating. The due dates of the clock are kept on the row when a step starts
    (applications/clock.py), so lists and the dashboard read them without a calendar.
    """

    class Channel(models.TextChoices):
        WINDOW = "window", _("街道窗口")
        VISIT = "visit", _("入户走访")
        LEAD = "lead", _("主动发现线索")

    class Status(models.TextChoices):
        RECEIVED = "received", _("已接收")
        ACCEPTED = "accepted", _("已受理")
        INVESTIGATING = "investigating", _("调查核实中")
        PUBLICISED = "publicised", _("公示中")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("不予批准")

    OPEN = (Status.RECEIVED, Status.ACCEPTED, Status.INVESTIGATING, Status.PUBLICISED)

    reference = models.CharField(_("受理编号"), max_length=20, unique=True, editable=False)
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="applications", verbose_name=_("家庭")
    )
    applicant = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="applications", verbose_name=_("申请人")
    )
    # The household's area code, copied so that scope is one indexed LIKE without a join.
    area_code = models.CharField(max_length=15, editable=False)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请类别")
    )
    responsibility = models.ForeignKey(
        Responsibility, on_delete=models.PROTECT, related_name="applications", editable=False
    )
    department = models.ForeignKey(
        "resources.Provider",
        on_delete=models.PROTECT,
        related_name="applications",
        editable=False,
        verbose_name=_("承办部门"),
    )
    channel = models.CharField(_("受理渠道"), max_length=16, choices=Channel.choices)
    status = models.CharField(
        _("办理环节"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    reason = models.TextField(_("申请事由"), blank=True)
    # A keyed hash of the phone the applicant gave, for the public lookup: never the number.
    lookup_phone_hash = models.CharField(max_length=64, editable=False)
    consent_given = models.BooleanField(_("已签署核对授权书"), default=False)
    consent_taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("授权经办人"),
    )
    consent_at = models.DateTimeField(_("授权时间"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    received_on = models.DateField(_("接收日期"))
    accept_due = models.DateField(_("受理期限"))
    more_requested = models.TextField(_("需补充材料"), blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    investigation_due = models.DateField(_("开始调查期限"), null=True, blank=True)
    investigation_started_on = models.DateField(_("开始调查日期"), null=True, blank=True)
    notice_start = models.DateField(_("公示开始"), null=True, blank=True)
    notice_end = models.DateField(_("公示结束"), null=True, blank=True)
    decision_due = models.DateField(_("办结期限"), null=True, blank=True)
    # The due date of the step the application is at (see clock.py), kept on the row so that
    # "near or past its limit" is one indexed range over the open applications.
    due_on = models.DateField(_("当前环节期限"), null=True, blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField(_("决定理由"), blank=True)
    start_month = models.DateField(_("救助起始月份"), null=True, blank=True)
    monthly_amount = models.DecimalField(
        _("月救助金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    rejection_notice_due = models.DateField(_("书面通知期限"), null=True, blank=True)
    rejection_notice_sent_on = models.DateField(_("书面通知日期"), null=True, blank=True)
    enrolment = models.ForeignKey(
        "households.Enrolment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    moved_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("转自申请"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("救助申请")
        verbose_name_plural = _("救助申请")
        indexes = [
            models.Index(
                OpClass("area_code", name="varchar_pattern_ops"),
                "status",
                name="application_scope",
            ),
            models.Index(fields=["department", "status"], name="application_department"),
            models.Index(
                OpClass("area_code", name="varchar_pattern_ops"),
                "due_on",
                name="application_open_due",
                condition=Q(status__in=["received", "accepted", "investigating", "publicised"])
                | Q(status="rejected", rejection_notice_sent_on__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_given=False) | Q(consent_taken_by__isnull=False),
                name="application_consent_has_taker",
                violation_error_message=_("授权须记录经办人。"),
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


def _document_path(instance: ApplicationDocument, filename: str) -> str:
    extension = "pdf" if instance.content_type == "application/pdf" else "jpg"
    return f"applications/{instance.uuid.hex[:2]}/{instance.uuid.hex}.{extension}"


class ApplicationDocument(PublicModel):
    """A document received with an application (a scan or a photo).

    In the private storage of visit photos (settings.STORAGES["photos"]), under
    applications/: no public URL, read only through the document view after the scope check,
    each read access-logged.
    """

    class Kind(models.TextChoices):
        ID_CARD = "id_card", _("身份证/户口簿")
        INCOME = "income", _("收入证明")
        MEDICAL = "medical", _("病历/医疗票据")
        DISABILITY = "disability", _("残疾证")
        CONSENT = "consent", _("核对授权书")
        OTHER = "other", _("其他材料")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="documents")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("材料类别"), max_length=16, choices=Kind.choices)
    file = models.FileField(storage=photo_storage, upload_to=_document_path, max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")

    def __str__(self) -> str:
        return f"{self.kind} {self.application_id}"


class Investigation(PublicModel):
    """入户调查: a visit of its own kind, by at least two investigators, for one application."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="investigations"
    )
    visited_on = models.DateField(_("调查日期"))
    investigators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("调查人员")
    )
    household_size = models.PositiveSmallIntegerField(
        _("共同生活家庭成员人数"), validators=[MinValueValidator(1)]
    )
    monthly_income = models.DecimalField(
        _("家庭月收入（元）"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    assets = models.DecimalField(
        _("家庭财产（元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    rigid_spending = models.DecimalField(
        _("刚性支出（元/月）"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    per_capita_income = models.DecimalField(max_digits=10, decimal_places=2, editable=False)
    standard_amount = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, editable=False
    )
    findings = models.TextField(_("调查情况"), blank=True)
    signature = models.TextField(_("签名"), blank=True)  # a PNG data URL drawn on the phone
    paper_signed = models.BooleanField(_("纸质调查表已签字"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("入户调查")
        verbose_name_plural = _("入户调查")
        constraints = [
            models.CheckConstraint(
                condition=Q(paper_signed=True) | ~Q(signature=""),
                name="investigation_confirmed",
                violation_error_message=_("须由在场人员签名，或勾选纸质调查表已签字。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.visited_on}"

    @property
    def below_standard(self) -> bool | None:
        if self.standard_amount is None:
            return None
        return self.per_capita_income < self.standard_amount


class Notice(PublicModel):
    """公示: one community's applications in one period, printed and put up, then taken down."""

    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="notices", verbose_name=_("社区")
    )
    area_code = models.CharField(max_length=15, editable=False)
    start = models.DateField(_("公示开始"))
    end = models.DateField(_("公示结束"))
    hotline = models.CharField(_("监督电话"), max_length=30)
    applications = models.ManyToManyField(Application, related_name="notices")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="notice_end_not_before_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.community_id} {self.start}"

    def is_up_on(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


class Objection(BaseModel):
    """An objection raised during 公示: the application goes back to investigation."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="objections"
    )
    text = models.TextField(_("异议内容"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")

    def __str__(self) -> str:
        return f"{self.application_id} {self.created_at:%Y-%m-%d}"
