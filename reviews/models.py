"""Standards and thresholds as data (per district and effective date), and recorded reviews."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.history import tracked
from core.models import PublicModel
from households.models import Area, Enrolment, User

# The cadences used where a district has no standard yet (months).
DEFAULT_CADENCE = {
    "dibao_stable": 12,
    "dibao_unstable": 6,
    "tekun": 12,
    "dibian": 12,
    "zhichu": 12,
}
# A 刚性支出 (支出型) recognition lasts at most this many months.
ZHICHU_MAX_MONTHS = 12


def _money(label: str, **kw: object) -> models.DecimalField:
    return models.DecimalField(
        label, max_digits=10, decimal_places=2, validators=[MinValueValidator(0)], **kw
    )


def _months(label: str, default: int, most: int = 36) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label, default=default, validators=[MinValueValidator(1), MaxValueValidator(most)]
    )


@tracked()
class Standard(PublicModel):
    """The assistance standards of one district from one date on, until a later row.

    The one in force on a day is the latest `effective_date` on or before it for the
    household's district; the district admin adds a row (or corrects one) without a deploy.
    """

    district = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="standards",
        limit_choices_to={"level": Area.Level.DISTRICT},
        verbose_name=_("区/县"),
    )
    effective_date = models.DateField(_("执行日期"))
    dibao = _money(_("低保标准（元/人/月）"))
    tekun_basic = _money(_("特困基本生活标准（元/人/月）"))
    tekun_care_full = _money(_("特困照料护理标准：生活全自理（元/人/月）"))
    tekun_care_partial = _money(_("特困照料护理标准：生活半自理（元/人/月）"))
    tekun_care_none = _money(_("特困照料护理标准：生活不能自理（元/人/月）"))
    dibian_factor = models.DecimalField(
        _("低边倍数（×低保标准）"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.50"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rigid_share = models.PositiveSmallIntegerField(
        _("刚性支出占家庭收入比例（%）"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    dibao_stable_months = _months(_("低保复核周期：收入稳定（月）"), 12)
    dibao_unstable_months = _months(_("低保复核周期：收入不稳定或有劳动年龄成员（月）"), 6)
    tekun_months = _months(_("特困复核周期（月）"), 12)
    dibian_months = _months(_("低边复核周期（月）"), 12)
    zhichu_months = _months(_("刚性支出认定有效期（月）"), 12, most=ZHICHU_MAX_MONTHS)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["district__code", "-effective_date"]
        verbose_name = _("救助标准")
        verbose_name_plural = _("救助标准")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "effective_date"],
                name="standard_one_per_district_and_date",
                violation_error_message=_("该区在这一执行日期已有一套标准，请修改那一条。"),
            ),
            models.CheckConstraint(
                condition=Q(zhichu_months__gte=1) & Q(zhichu_months__lte=ZHICHU_MAX_MONTHS),
                name="standard_zhichu_at_most_12_months",
                violation_error_message=_("刚性支出认定有效期最长 12 个月。"),
            ),
            models.CheckConstraint(
                condition=Q(dibao__gte=0)
                & Q(tekun_basic__gte=0)
                & Q(tekun_care_full__gte=0)
                & Q(tekun_care_partial__gte=0)
                & Q(tekun_care_none__gte=0),
                name="standard_amounts_not_negative",
                violation_error_message=_("标准金额不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.effective_date:%Y-%m-%d}"

    @property
    def dibian_line(self) -> Decimal:
        return (self.dibao * self.dibian_factor).quantize(Decimal("0.01"))


class Review(PublicModel):
    """One 复核 of an enrolment: its outcome, the reason, and the amount it left."""

    class Outcome(models.TextChoices):
        UNCHANGED = "unchanged", _("维持不变")
        AMOUNT = "amount", _("调整金额")
        SUSPEND = "suspend", _("暂停")
        END = "end", _("终止")

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("救助认定")
    )
    reviewed_on = models.DateField(_("复核日期"))
    outcome = models.CharField(_("复核结果"), max_length=16, choices=Outcome.choices)
    reason = models.TextField(_("理由"))
    amount_before = models.DecimalField(_("原月救助金额"), max_digits=10, decimal_places=2)
    amount_after = models.DecimalField(_("复核后月救助金额"), max_digits=10, decimal_places=2)
    due_before = models.DateField(_("原复核日期"), null=True, blank=True)
    reviewer = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("复核人"),
    )
    # A review recorded from a visit's page: the visit is also the household's follow-up.
    visit = models.ForeignKey(
        "cases.Visit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("走访记录"),
    )

    class Meta:
        ordering = ["-reviewed_on", "-id"]
        verbose_name = _("复核记录")
        verbose_name_plural = _("复核记录")
        indexes = [models.Index(fields=["enrolment", "-reviewed_on"])]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.reviewed_on} {self.outcome}"
