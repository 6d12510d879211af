"""The resource pool: providers (救助力量), their resources, capacity use and goods stock."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.history import tracked, tracked_in_bulk
from core.models import BaseModel, PublicModel
from households.models import Area, Category
from resources.vocabulary import NeedSubtype, NeedType

NEED_TYPE_CHOICES = NeedType.choices


@tracked()
class Provider(PublicModel):
    """Who gives: a department, an organisation, a unit, a company, a volunteer, a party member."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("政府部门")
        SOCIAL_ORG = "social_org", _("社会组织")
        UNIT = "unit", _("驻地单位")
        COMPANY = "company", _("爱心企业")
        VOLUNTEER = "volunteer", _("志愿者")
        PARTY_MEMBER = "party_member", _("党员结对帮扶")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="providers", verbose_name=_("所属区划")
    )
    # The area's prefix, copied so that scope is one indexed LIKE without a join.
    area_code = models.CharField(max_length=15, editable=False)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    description = models.TextField(_("简介"), blank=True)
    active = models.BooleanField(_("在用"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("救助力量")
        verbose_name_plural = _("救助力量")
        indexes = [
            models.Index(OpClass("area_code", name="varchar_pattern_ops"), name="provider_scope"),
        ]

    def __str__(self) -> str:
        return self.name


class ProviderAccount(BaseModel):
    """A user with the provider role, acting for one provider in the portal and the API."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="provider_account",
        verbose_name=_("用户"),
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("救助力量")
    )

    class Meta:
        verbose_name = _("服务方账号")
        verbose_name_plural = _("服务方账号")

    def __str__(self) -> str:
        return f"{self.user} → {self.provider}"


# Statement-level: a batch run takes the stock of thousands of goods in one UPDATE.
@tracked_in_bulk()
class Resource(PublicModel):
    """What a provider offers: a policy, a service with capacity per period, or goods in stock."""

    class Kind(models.TextChoices):
        POLICY = "policy", _("政策")
        SERVICE = "service", _("服务")
        GOODS = "goods", _("物资")

    class PoolList(models.TextChoices):
        """The five lists a community keeps; each is a view of the same pool."""

        POLICY = "policy", _("政策清单")
        SOCIAL_ORG = "social_org", _("社会组织服务清单")
        UNIT = "unit", _("驻地单位帮扶清单")
        CARING = "caring", _("爱心人士帮扶清单")
        LIFE = "life", _("生活服务“百事通”清单")

    class Period(models.TextChoices):
        WEEK = "week", _("每周")
        MONTH = "month", _("每月")
        YEAR = "year", _("每年")
        TOTAL = "total", _("总计（不重置）")

    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="resources", verbose_name=_("救助力量")
    )
    kind = models.CharField(_("资源类型"), max_length=16, choices=Kind.choices)
    pool_list = models.CharField(_("所属清单"), max_length=16, choices=PoolList.choices)
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("内容"), blank=True, help_text=_("提供什么、怎样申请"))
    department = models.CharField(_("主管部门"), max_length=100, blank=True)
    categories = ArrayField(
        models.CharField(max_length=16, choices=Category.Code.choices),
        verbose_name=_("面向救助类别"),
        default=list,
        blank=True,
        help_text=_("不选则面向所有困难群众"),
    )
    need_types = ArrayField(
        models.CharField(max_length=16, choices=NEED_TYPE_CHOICES),
        verbose_name=_("满足需求类型"),
        default=list,
    )
    need_subtypes = ArrayField(
        models.CharField(max_length=24, choices=NeedSubtype.choices),
        verbose_name=_("满足需求细类"),
        default=list,
        blank=True,
        help_text=_("不选则为所选类型下的全部细类"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="resources", verbose_name=_("服务范围")
    )
    # The served area's prefix: the resource serves households whose area code starts with it.
    area_code = models.CharField(max_length=15, editable=False)
    capacity = models.PositiveIntegerField(
        _("每期名额"), null=True, blank=True, help_text=_("服务类：每个周期可提供的次数")
    )
    period = models.CharField(_("周期"), max_length=8, choices=Period.choices, default=Period.MONTH)
    stock = models.PositiveIntegerField(
        _("库存"), null=True, blank=True, help_text=_("物资类：现有可分配数量")
    )
    unit = models.CharField(_("单位"), max_length=10, default="次")
    available_from = models.DateField(_("起始日期"), null=True, blank=True)
    available_until = models.DateField(_("截止日期"), null=True, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    active = models.BooleanField(_("在用"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("资源")
        verbose_name_plural = _("资源")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="service") | Q(capacity__isnull=False),
                name="resource_service_has_capacity",
                violation_error_message=_("服务类资源须填写每期名额。"),
            ),
            models.CheckConstraint(
                condition=~Q(kind="goods") | Q(stock__isnull=False),
                name="resource_goods_has_stock",
                violation_error_message=_("物资类资源须填写库存。"),
            ),
            models.CheckConstraint(
                condition=Q(available_until__isnull=True)
                | Q(available_from__isnull=True)
                | Q(available_until__gte=models.F("available_from")),
                name="resource_period_in_order",
                violation_error_message=_("截止日期不能早于起始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="resource_coordinates_together",
                violation_error_message=_("经度和纬度需同时填写。"),
            ),
            models.CheckConstraint(
                condition=~Q(need_types=[]),
                name="resource_meets_some_need_type",
                violation_error_message=_("请至少选择一种满足的需求类型。"),
            ),
        ]
        # Stock changes are HOT updates, writing none of these indexes: each page keeps room
        # for new row versions (fillfactor 50, migration 0008).
        indexes = [
            models.Index(fields=["area_code"], name="resource_area_code"),
            models.Index(OpClass("area_code", name="varchar_pattern_ops"), name="resource_scope"),
            GinIndex(fields=["need_types"], name="resource_need_types"),
        ]

    def __str__(self) -> str:
        return self.name

    def is_available_on(self, day: dt.date) -> bool:
        return (
            self.active
            and (self.available_from is None or self.available_from <= day)
            and (self.available_until is None or day <= self.available_until)
        )

    @property
    def is_limited(self) -> bool:
        return self.kind != self.Kind.POLICY


class ResourceUsage(models.Model):
    """How many units of a service's capacity one period has given out."""

    # Looked up by the unique (resource, period_start) below, which serves the resource alone
    # too: no index of its own.
    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="usage", db_index=False
    )
    period_start = models.DateField()
    used = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("名额使用")
        verbose_name_plural = _("名额使用")
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "period_start"], name="resource_usage_one_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id}@{self.period_start}: {self.used}"


@tracked_in_bulk()
class StockMovement(BaseModel):
    """One receipt into, or issue out of, a goods resource's stock; the stock ledger."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("入库")
        GIVEN = "given", _("出库")
        RETURNED = "returned", _("退回")

    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, related_name="movements", verbose_name=_("物资")
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    quantity = models.PositiveIntegerField(_("数量"))
    supplier = models.CharField(_("来源"), max_length=100, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    referral = models.ForeignKey(
        "matching.Referral",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stock_movements",
    )
    # Unchecked: users are deactivated, never deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("出入库记录")
        verbose_name_plural = _("出入库记录")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="stock_movement_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} × {self.resource_id}"
