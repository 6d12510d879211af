"""政策找人 (主动发现): eligibility rules on policies, the leads they find, and 应退尽退 flags.

Leads and flags are kept by the nightly screening (outreach/screening.py) in a few set-based
statements; the rows carry a fingerprint of the facts they were found on, so that a lead a
worker dismissed stays hidden until those facts change.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.history import tracked, tracked_in_bulk
from core.models import PublicModel
from households.models import Enrolment, Household, Member
from matching.models import Need, Referral
from resources.models import Resource


@tracked()
class PolicyRule(PublicModel):
    """One condition of a policy's eligibility; a household or member meets the policy when it
    meets every active rule of it (member conditions by one and the same member).

    `code` names a condition of the fixed catalogue in outreach/predicates.py, `params` fills
    it in, as a TierRule does with cases/predicates.py.
    """

    policy = models.ForeignKey(
        Resource,
        on_delete=models.PROTECT,
        related_name="eligibility_rules",
        limit_choices_to={"kind": Resource.Kind.POLICY},
        verbose_name=_("政策"),
    )
    code = models.CharField(_("判定条件"), max_length=32)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["policy", "id"]
        verbose_name = _("政策条件")
        verbose_name_plural = _("政策条件")

    def __str__(self) -> str:
        return f"{self.policy_id} · {self.code}"


# Statement-level history: the nightly screening writes thousands of leads in one statement.
@tracked_in_bulk()
class Lead(PublicModel):
    """A household, or one member, who meets a policy's rules but does not have it (线索)."""

    class State(models.TextChoices):
        OPEN = "open", _("待处理")
        ACTED = "acted", _("已转介")
        DISMISSED = "dismissed", _("已忽略")

    # Indexed by the unique (policy, household, member) and (household, state) below: the
    # screening inserts thousands of rows a night, and every index is paid for on each.
    policy = models.ForeignKey(
        Resource,
        on_delete=models.CASCADE,
        related_name="leads",
        verbose_name=_("政策"),
        db_index=False,
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.CASCADE,
        related_name="leads",
        verbose_name=_("家庭"),
        db_index=False,
    )
    member = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="leads",
        verbose_name=_("成员"),
        db_index=False,
    )
    # The household's area prefix, copied so that scope and the per-community counts read
    # this table alone.
    area_code = models.CharField(max_length=15, editable=False)
    reason = models.CharField(_("线索说明"), max_length=300)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.OPEN)
    # md5 of the household's (and the member's) facts the rules read, as of the last run.
    fingerprint = models.CharField(max_length=32, editable=False)
    found_on = models.DateField(_("发现日期"))
    # Read from the lead to these, never the other way: no index.
    need = models.ForeignKey(
        Need, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    referral = models.ForeignKey(
        Referral,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("转介人"),
        db_index=False,
    )
    acted_at = models.DateTimeField(_("转介时间"), null=True, blank=True)
    dismiss_reason = models.CharField(_("忽略原因"), max_length=200, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("忽略人"),
        db_index=False,
    )
    dismissed_at = models.DateTimeField(_("忽略时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-found_on", "-id"]
        verbose_name = _("政策找人线索")
        verbose_name_plural = _("政策找人线索")
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "household", "member"],
                nulls_distinct=False,
                name="lead_one_per_policy_household_member",
            ),
        ]
        indexes = [
            models.Index(
                OpClass("area_code", name="varchar_pattern_ops"), "state", name="lead_scope"
            ),
            models.Index(fields=["household", "state"], name="lead_household_state"),
        ]

    def __str__(self) -> str:
        return self.reason


@tracked_in_bulk()
class ExitFlag(PublicModel):
    """应退尽退: an approved enrolment whose data now suggest it may no longer qualify.

    A prompt to review, never an end of the enrolment: the review itself goes through 复核.
    """

    class Kind(models.TextChoices):
        INCOME_ABOVE = "income_above", _("人均收入超过标准")
        MEMBER_GONE = "member_gone", _("救助对象已故或迁出")
        LINSHI_OVERDUE = "linshi_overdue", _("临时救助已过期仍在享受")

    class State(models.TextChoices):
        OPEN = "open", _("待复核")
        RESOLVED = "resolved", _("已处理")

    # Indexed by the unique (enrolment, kind) below.
    enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.CASCADE,
        related_name="exit_flags",
        verbose_name=_("救助认定"),
        db_index=False,
    )
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="exit_flags", verbose_name=_("家庭")
    )
    area_code = models.CharField(max_length=15, editable=False)
    kind = models.CharField(_("提示类型"), max_length=16, choices=Kind.choices)
    reason = models.CharField(_("提示说明"), max_length=300)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.OPEN)
    fingerprint = models.CharField(max_length=32, editable=False)
    found_on = models.DateField(_("发现日期"))
    resolve_note = models.CharField(_("处理说明"), max_length=200, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("处理人"),
        db_index=False,
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-found_on", "-id"]
        verbose_name = _("应退尽退提示")
        verbose_name_plural = _("应退尽退提示")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "kind"], name="exit_flag_one_per_kind"),
        ]
        indexes = [
            models.Index(
                OpClass("area_code", name="varchar_pattern_ops"), "state", name="exit_flag_scope"
            ),
        ]

    def __str__(self) -> str:
        return self.reason
