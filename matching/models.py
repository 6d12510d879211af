"""Needs (需求清单), referrals (转介) and the runs that make them: batch matching and campaigns."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.history import tracked_in_bulk
from core.models import BaseModel, PublicModel
from households.models import Area, Household, Member
from resources.models import Provider, Resource
from resources.vocabulary import NeedSubtype, NeedType

_USER = settings.AUTH_USER_MODEL


def _who(label: str, *, checked: bool = True) -> models.ForeignKey:
    # No index: nothing reads needs or referrals by who did a step, and every index costs
    # each of the tens of thousands of rows a batch run writes. Unchecked (`checked=False`)
    # on referrals: users are deactivated, never deleted, and a constraint queues a check
    # per inserted row even when the column is empty.
    return models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=label,
        db_index=False,
        db_constraint=checked,
    )


@tracked_in_bulk()
class Need(PublicModel):
    """Something a household, or one of its members, needs.

    A resident's own request (一键求助) arrives with no household: `unverified`, in the inbox
    of the community it names (`area`), until a worker ties it to a household or discards it.
    """

    Type = NeedType
    Subtype = NeedSubtype

    class Urgency(models.IntegerChoices):
        LOW = 1, _("一般")
        MEDIUM = 2, _("较急")
        HIGH = 3, _("紧急")
        CRITICAL = 4, _("危急")

    class Source(models.TextChoices):
        VISIT = "visit", _("入户走访")
        WALK_IN = "walk_in", _("来访")
        PHONE = "phone", _("来电")
        SELF_REQUEST = "self_request", _("一键求助")
        CAMPAIGN = "campaign", _("专项活动")

    class Status(models.TextChoices):
        UNVERIFIED = "unverified", _("待核实")
        OPEN = "open", _("待匹配")
        MATCHED = "matched", _("已匹配")
        IN_PROGRESS = "in_progress", _("服务中")
        MET = "met", _("已满足")
        CLOSED = "closed", _("已关闭")

    # Indexed by (household, status) below, which serves lookups by household too.
    household = models.ForeignKey(
        Household,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="needs",
        verbose_name=_("家庭"),
        db_index=False,
    )
    member = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="needs",
        verbose_name=_("成员"),
        db_index=False,
    )
    type = models.CharField(_("需求类型"), max_length=16, choices=Type.choices)
    subtype = models.CharField(_("需求细类"), max_length=24, choices=Subtype.choices)
    urgency = models.PositiveSmallIntegerField(
        _("紧急程度"), choices=Urgency.choices, default=Urgency.MEDIUM
    )
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    description = models.TextField(_("需求描述"), blank=True)
    quantity = models.PositiveIntegerField(_("数量"), default=1)
    # Where the need is (the home), when the worker's phone gave a position: the ten-minute
    # circle is then measured in metres rather than by area.
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    # The community a self-request was sent to: the inbox it lands in, and its scope until
    # it is tied to a household (whose own area is the scope from then on).
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("求助社区"),
        db_index=False,
    )
    area_code = models.CharField(max_length=15, blank=True, editable=False)
    requester_phone = models.CharField(_("求助人电话"), max_length=20, blank=True)
    created_by = _who(_("登记人"))
    verified_by = _who(_("核实人"))
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    met_at = models.DateTimeField(_("满足时间"), null=True, blank=True)
    closed_by = _who(_("关闭人"))
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    close_reason = models.CharField(_("关闭原因"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    # Made on the device with the visit that records the need: sent again, it is found.
    client_id = models.UUIDField(null=True, blank=True, editable=False)

    OPEN_STATUSES = (Status.OPEN, Status.MATCHED, Status.IN_PROGRESS)

    class Meta:
        verbose_name = _("需求")
        verbose_name_plural = _("需求")
        constraints = [
            models.CheckConstraint(
                condition=Q(household__isnull=False) | Q(status__in=["unverified", "closed"]),
                name="need_household_unless_inbox",
                violation_error_message=_("需求须关联家庭（一键求助核实前除外）。"),
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(close_reason=""),
                name="need_closed_with_reason",
                violation_error_message=_("关闭需求须填写原因。"),
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="need_quantity_positive"),
            models.UniqueConstraint(
                fields=["household", "client_id"],
                condition=Q(client_id__isnull=False),
                name="need_stored_once",
            ),
        ]
        indexes = [
            # No index holds `status` (not even in a partial index's condition), so the
            # batch run's status changes are HOT updates: no index is written for them. That
            # also takes room on the row's page (fillfactor 45, migration 0006).
            models.Index(fields=["household"], name="need_household"),
            models.Index(
                OpClass("area_code", name="varchar_pattern_ops"),
                name="need_inbox_scope",
                condition=Q(household__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()}·{self.get_subtype_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def reference(self) -> str:
        """The number a resident quotes when calling about their request (一键求助 回执):
        from the public UUID, so it says nothing about how many requests there are."""
        return self.uuid.hex[:8].upper()


@tracked_in_bulk()
class MatchRun(BaseModel):
    """One batch run of matching over the open needs of an area: who, when, what it made."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    started_by = _who(_("发起人"))
    needs_considered = models.PositiveIntegerField(default=0)
    referrals_made = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    lost_to_others = models.PositiveIntegerField(
        default=0, help_text=_("计算期间被其他人先行匹配或占用的需求数")
    )
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("批量匹配")
        verbose_name_plural = _("批量匹配")

    def __str__(self) -> str:
        return f"{self.area_id} @ {self.created_at:%Y-%m-%d %H:%M}"


@tracked_in_bulk()
class Campaign(PublicModel):
    """A goods drive (e.g. 寒冬送温暖): one goods resource to a target group, up to its stock."""

    name = models.CharField(_("活动名称"), max_length=100)
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("物资")
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("范围")
    )
    groups = models.JSONField(_("对象条件"), default=list)
    per_household = models.PositiveIntegerField(_("每户数量"), default=1)
    per_member = models.BooleanField(_("按在户人数发放"), default=False)
    created_by = _who(_("发起人"))
    households_targeted = models.PositiveIntegerField(_("对象户数"), default=0)
    households_served = models.PositiveIntegerField(_("已安排户数"), default=0)
    units_requested = models.PositiveIntegerField(_("需要数量"), default=0)
    units_given = models.PositiveIntegerField(_("已安排数量"), default=0)

    class Meta:
        verbose_name = _("专项活动")
        verbose_name_plural = _("专项活动")

    def __str__(self) -> str:
        return self.name

    @property
    def households_short(self) -> int:
        return self.households_targeted - self.households_served

    @property
    def units_short(self) -> int:
        return self.units_requested - self.units_given


@tracked_in_bulk()
class Referral(PublicModel):
    """A need linked to a resource: proposed → accepted/declined → delivered → confirmed → closed.

    Each step keeps who and when. `household` and `provider` are copied from the need and the
    resource: they never change, and they are what the two kinds of scope filter on.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待接收")
        ACCEPTED = "accepted", _("已接收")
        DECLINED = "declined", _("已拒绝")
        DELIVERED = "delivered", _("已交付待确认")
        CONFIRMED = "confirmed", _("已确认")
        CLOSED = "closed", _("已办结")
        CANCELLED = "cancelled", _("已撤回")

    class Outcome(models.TextChoices):
        MET = "met", _("已解决")
        PARTLY = "partly", _("部分解决")
        NOT_MET = "not_met", _("未解决")

    # Lists read referrals newest first by id; no index on the creation time.
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # No index of their own. A need's active referrals are read through the unique
    # (need, resource) index of active referrals below; all of a need's referrals through
    # (household, status), with the need's household (`selectors.need_referrals`). Nothing
    # reads referrals by resource alone except a campaign's exclusion, once per campaign.
    # Each index costs a batch run writing 52,000 referrals 0.1-0.15 s.
    need = models.ForeignKey(
        Need,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("需求"),
        db_index=False,
    )
    resource = models.ForeignKey(
        Resource,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("资源"),
        db_index=False,
    )
    # Copies of the resource's provider and the need's household, written with them and
    # never changed. No constraint of their own: the need's and the resource's foreign keys
    # (PROTECT all the way up) already keep them valid, and a batch run writing tens of
    # thousands of referrals would otherwise check each copy again. Indexed together with
    # status below, which serves lookups by either alone too.
    provider = models.ForeignKey(
        Provider,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("救助力量"),
        db_index=False,
        db_constraint=False,
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("家庭"),
        db_index=False,
        db_constraint=False,
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    quantity = models.PositiveIntegerField(_("数量"), default=1)
    # The capacity period the units were taken from, so a decline gives them back there.
    period_start = models.DateField(null=True, blank=True, editable=False)
    score = models.IntegerField(_("匹配分"), default=0)
    reasons = models.JSONField(_("匹配理由"), default=list, blank=True)
    note = models.CharField(_("给服务方的说明"), max_length=200, blank=True)
    # Written by the run in the same transaction that creates it; runs are never deleted.
    match_run = models.ForeignKey(
        MatchRun,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
        db_index=False,
        db_constraint=False,
    )
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
        db_index=False,
    )
    # The acting user (users are deactivated, never deleted): unchecked for the same reason.
    proposed_by = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("转介人"),
        db_index=False,
        db_constraint=False,
    )
    proposed_at = models.DateTimeField(_("转介时间"), null=True, blank=True)
    decided_by = _who(_("接收/拒绝人"), checked=False)
    decided_at = models.DateTimeField(_("接收/拒绝时间"), null=True, blank=True)
    decline_reason = models.CharField(_("拒绝原因"), max_length=200, blank=True)
    delivered_by = _who(_("交付登记人"), checked=False)
    delivered_at = models.DateTimeField(_("交付登记时间"), null=True, blank=True)
    delivered_on = models.DateField(_("交付日期"), null=True, blank=True)
    delivered_quantity = models.PositiveIntegerField(_("交付数量"), null=True, blank=True)
    delivery_note = models.CharField(_("交付说明"), max_length=200, blank=True)
    confirmed_by = _who(_("回访确认人"), checked=False)
    confirmed_at = models.DateTimeField(_("回访确认时间"), null=True, blank=True)
    outcome = models.CharField(_("效果"), max_length=16, choices=Outcome.choices, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)
    confirm_note = models.CharField(_("回访说明"), max_length=200, blank=True)
    # The follow-up contact (回访) at which the worker confirmed the delivery, if recorded.
    confirmation_visit = models.ForeignKey(
        "cases.Visit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="confirmed_referrals",
        verbose_name=_("回访记录"),
        db_index=False,
    )
    closed_by = _who(_("办结/撤回人"), checked=False)
    closed_at = models.DateTimeField(_("办结/撤回时间"), null=True, blank=True)
    close_reason = models.CharField(_("撤回原因"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ACTIVE_STATUSES = (Status.PROPOSED, Status.ACCEPTED, Status.DELIVERED)

    class Meta:
        verbose_name = _("转介")
        verbose_name_plural = _("转介")
        constraints = [
            models.UniqueConstraint(
                fields=["need", "resource"],
                condition=Q(status__in=["proposed", "accepted", "delivered"]),
                name="referral_one_active_per_need_and_resource",
                violation_error_message=_("该需求已转介给此资源，尚未办结。"),
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="referral_satisfaction_1_to_5",
                violation_error_message=_("满意度为1到5分。"),
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="referral_quantity_positive"),
        ]
        indexes = [
            models.Index(fields=["provider", "status"], name="referral_provider_status"),
            models.Index(fields=["household", "status"], name="referral_household_status"),
            # Only referrals that delivered something: a batch run's proposals skip it.
            models.Index(
                fields=["status", "delivered_at"],
                name="referral_status_delivered",
                condition=Q(status__in=["delivered", "confirmed", "closed"]),
            ),
            models.Index(
                fields=["campaign"],
                name="referral_campaign",
                condition=Q(campaign__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.need} → {self.resource}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def awaits_confirmation(self) -> bool:
        return self.status == self.Status.DELIVERED
