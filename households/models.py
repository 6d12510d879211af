"""The registry: areas, users and their scope, households, members, categories, enrolments."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from access.roles import Role
from access.scope import PREFIX_LENGTH
from core.history import tracked
from core.models import PublicModel


@tracked()
class Area(models.Model):
    """A node of 区 → 街道 → 社区 → 网格 with its statistical division code.

    Districts, streets and communities carry the official 12-digit code; a grid gets the
    code of its community plus three digits of our own. `prefix` is the significant part
    of the code (6, 9, 12 or 15 characters), and scope is "starts with my area's prefix".
    """

    class Level(models.TextChoices):
        DISTRICT = "district", _("区/县")
        STREET = "street", _("街道/镇")
        COMMUNITY = "community", _("社区/村")
        GRID = "grid", _("网格")

    code = models.CharField(_("区划代码"), max_length=15, unique=True)
    prefix = models.CharField(_("范围前缀"), max_length=15, unique=True, editable=False)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        indexes = [
            models.Index(OpClass("prefix", name="varchar_pattern_ops"), name="area_prefix_like"),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def prefix_of(code: str, level: str) -> str:
        return code[: PREFIX_LENGTH[level]]


# Role, area and standing kept like the registry's rows, whoever changes them (the app's
# pages, the API, Django's admin). Never the password hash, and not each sign-in.
@tracked(exclude=["password", "last_login"])
class User(AbstractUser):
    """A person who signs in. Bound to one area; sees what lies inside it (access.scope)."""

    Role = Role  # the roles are the access rules' (access.roles); `User.Role` reads them

    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, blank=True)
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("所属区划"),
    )
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    # Set when an admin creates the account or sets its password (accounts.services): the
    # user changes that temporary password before anything else (accounts.middleware).
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        permissions = [
            ("reveal_id_number", _("查看完整身份证号")),
            ("export_full_id_number", _("导出完整身份证号")),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username


class Category(models.Model):
    """One of the five assistance categories. The code is the key, so rules can name it.

    The rows are reference data the code relies on: `ensure_categories` (run after every
    migrate and test flush through post_migrate) keeps them present.
    """

    class Code(models.TextChoices):
        DIBAO = "dibao", _("低保")
        DIBIAN = "dibian", _("低边")
        TEKUN = "tekun", _("特困")
        ZHICHU = "zhichu", _("支出型")
        LINSHI = "linshi", _("临时救助")

    code = models.CharField(_("代码"), max_length=16, primary_key=True, choices=Code.choices)
    name = models.CharField(_("简称"), max_length=20)
    full_name = models.CharField(_("全称"), max_length=50)
    per_person = models.BooleanField(
        _("按人认定"), default=False, help_text=_("特困按人认定，其余按户认定。")
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order"]
        verbose_name = _("救助类别")
        verbose_name_plural = _("救助类别")

    def __str__(self) -> str:
        return self.name


CATEGORY_DEFAULTS = {
    # code: (full name, counted per person, order)
    "dibao": ("最低生活保障", False, 1),
    "dibian": ("最低生活保障边缘家庭", False, 2),
    "tekun": ("特困人员救助供养", True, 3),
    "zhichu": ("支出型困难家庭", False, 4),
    "linshi": ("临时救助（含急难救助）", False, 5),
}


def ensure_categories(**_kwargs: object) -> None:
    """Create any of the five categories that is missing; never changes an existing row."""
    for code, (full_name, per_person, order) in CATEGORY_DEFAULTS.items():
        Category.objects.get_or_create(
            code=code,
            defaults={
                "name": str(Category.Code(code).label),
                "full_name": full_name,
                "per_person": per_person,
                "sort_order": order,
            },
        )


@tracked()
class Household(PublicModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("在册")
        CLOSED = "closed", _("已销档")

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="households", verbose_name=_("所在社区/网格")
    )
    # The area's prefix, copied so that scope is one indexed LIKE 'prefix%' without a join.
    area_code = models.CharField(max_length=15, editable=False)
    address = models.CharField(_("家庭住址"), max_length=200)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    head = models.ForeignKey(
        "Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("户主"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    worker = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="households",
        verbose_name=_("责任社工"),
    )
    tier = models.CharField(_("风险分层"), max_length=1, blank=True)
    tier_reason = models.CharField(_("分层依据"), max_length=200, blank=True)
    note = models.TextField(_("备注"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("家庭")
        verbose_name_plural = _("家庭")
        indexes = [
            models.Index(
                OpClass("area_code", name="varchar_pattern_ops"), "id", name="household_scope"
            ),
            models.Index(OpClass("address", name="varchar_pattern_ops"), name="household_address"),
        ]

    def __str__(self) -> str:
        return self.address


@tracked(exclude=["id_number_cipher"])
class Member(PublicModel):
    class Relation(models.TextChoices):
        HEAD = "head", _("户主")
        SPOUSE = "spouse", _("配偶")
        CHILD = "child", _("子女")
        PARENT = "parent", _("父母")
        GRANDCHILD = "grandchild", _("孙子女")
        GRANDPARENT = "grandparent", _("祖父母")
        SIBLING = "sibling", _("兄弟姐妹")
        OTHER = "other", _("其他")

    class Sex(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    class Status(models.TextChoices):
        ACTIVE = "active", _("在户")
        MOVED_OUT = "moved_out", _("已迁出")
        DECEASED = "deceased", _("已故")

    class DisabilityType(models.TextChoices):
        NONE = "", _("无残疾")
        PHYSICAL = "physical", _("肢体")
        VISUAL = "visual", _("视力")
        INTELLECTUAL = "intellectual", _("智力")
        MENTAL = "mental", _("精神")
        HEARING = "hearing", _("听力")
        SPEECH = "speech", _("言语")
        MULTIPLE = "multiple", _("多重")

    class DisabilityGrade(models.IntegerChoices):
        ONE = 1, _("一级")
        TWO = 2, _("二级")
        THREE = 3, _("三级")
        FOUR = 4, _("四级")

    class Health(models.TextChoices):
        HEALTHY = "healthy", _("健康")
        CHRONIC = "chronic", _("慢性病")
        SERIOUS = "serious", _("重病/大病")
        UNKNOWN = "unknown", _("未知")

    class LabourCapacity(models.TextChoices):
        FULL = "full", _("有劳动能力")
        PARTIAL = "partial", _("部分丧失劳动能力")
        NONE = "none", _("无劳动能力")
        UNKNOWN = "unknown", _("未知")

    class Employment(models.TextChoices):
        EMPLOYED = "employed", _("在业")
        FLEXIBLE = "flexible", _("灵活就业")
        UNEMPLOYED = "unemployed", _("失业")
        RETIRED = "retired", _("退休")
        NOT_WORKING_AGE = "na", _("非劳动年龄")
        UNKNOWN = "unknown", _("未知")

    class Schooling(models.TextChoices):
        NOT_IN_SCHOOL = "none", _("未在学")
        PRESCHOOL = "preschool", _("学前")
        PRIMARY = "primary", _("小学")
        JUNIOR = "junior", _("初中")
        SENIOR = "senior", _("高中/中职")
        HIGHER = "higher", _("大专及以上")
        UNKNOWN = "unknown", _("未知")

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="members", verbose_name=_("家庭")
    )
    name = models.CharField(_("姓名"), max_length=50)
    id_number_cipher = models.BinaryField(editable=False)
    id_number_hash = models.CharField(max_length=64, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, editable=False)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, editable=False)
    birth_date = models.DateField(_("出生日期"), editable=False)
    relation = models.CharField(_("与户主关系"), max_length=16, choices=Relation.choices)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    disability_type = models.CharField(
        _("残疾类别"), max_length=16, choices=DisabilityType.choices, blank=True
    )
    disability_grade = models.PositiveSmallIntegerField(
        _("残疾等级"), choices=DisabilityGrade.choices, null=True, blank=True
    )
    # A fact nobody has asked about yet is recorded as unknown (未知, null for yes/no facts),
    # never as a guess: a guess reads as a finding, and tier rules act on findings.
    health = models.CharField(
        _("健康状况"), max_length=16, choices=Health.choices, default=Health.UNKNOWN
    )
    illness = models.CharField(_("疾病名称"), max_length=100, blank=True)
    has_caregiver = models.BooleanField(_("有人照料"), null=True, blank=True, default=None)
    labour_capacity = models.CharField(
        _("劳动能力"), max_length=16, choices=LabourCapacity.choices, default=LabourCapacity.UNKNOWN
    )
    employment = models.CharField(
        _("就业状况"), max_length=16, choices=Employment.choices, default=Employment.UNKNOWN
    )
    schooling = models.CharField(
        _("在学情况"), max_length=16, choices=Schooling.choices, default=Schooling.UNKNOWN
    )
    lives_alone = models.BooleanField(_("独居"), null=True, blank=True, default=None)
    monthly_income = models.DecimalField(
        _("月收入（元）"), max_digits=10, decimal_places=2, default=0
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(status="active", relation="head"),
                name="member_one_active_head_per_household",
                violation_error_code="one_head",
                violation_error_message=_(
                    "本户已有一名在户的户主。请选择其他关系，或先修改原户主的关系。"
                ),
            ),
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=Q(status="active"),
                name="member_one_active_per_id_number",
                violation_error_message=_("该身份证号已登记在另一个在户成员名下。"),
            ),
            models.CheckConstraint(
                condition=(Q(disability_type="") & Q(disability_grade__isnull=True))
                | (~Q(disability_type="") & Q(disability_grade__isnull=False)),
                name="member_disability_type_and_grade_together",
                violation_error_message=_("残疾类别和残疾等级需同时填写。"),
            ),
            models.CheckConstraint(
                condition=Q(monthly_income__gte=0),
                name="member_income_not_negative",
                violation_error_message=_("月收入不能为负数。"),
            ),
        ]
        indexes = [
            models.Index(OpClass("name", name="varchar_pattern_ops"), name="member_name_prefix"),
            models.Index(fields=["id_number_hash"], name="member_id_hash"),
        ]

    def __str__(self) -> str:
        return self.name

    def age_on(self, day: dt.date) -> int:
        had_birthday = (day.month, day.day) >= (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - (0 if had_birthday else 1)


@tracked()
class Enrolment(PublicModel):
    """A household (or one member, for 特困) in a category, over a period, with an amount."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")
        SUSPENDED = "suspended", _("已暂停")
        ENDED = "ended", _("已终止")

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("家庭")
    )
    member = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="own_enrolments",
        verbose_name=_("救助对象（按人）"),
    )
    members = models.ManyToManyField(Member, related_name="enrolments", verbose_name=_("覆盖成员"))
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("救助类别")
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.APPLIED
    )
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("终止日期"), null=True, blank=True)
    monthly_amount = models.DecimalField(
        _("月救助金额（元）"), max_digits=10, decimal_places=2, default=0
    )
    review_due = models.DateField(_("复核日期"), null=True, blank=True)
    reason = models.TextField(_("申请事由"), blank=True)
    applied_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申请人"),
    )
    decided_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_reason = models.TextField(_("审批意见"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("救助认定")
        verbose_name_plural = _("救助认定")
        constraints = [
            models.CheckConstraint(
                condition=~Q(category="linshi") | Q(end_date__isnull=False),
                name="enrolment_linshi_has_end_date",
                violation_error_message=_("临时救助必须填写终止日期。"),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="enrolment_end_not_before_start",
                violation_error_message=_("终止日期不能早于起始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(monthly_amount__gte=0),
                name="enrolment_amount_not_negative",
                violation_error_message=_("月救助金额不能为负数。"),
            ),
        ]
        indexes = [models.Index(fields=["category", "status", "start_date"])]

    def __str__(self) -> str:
        return f"{self.category_id} {self.household_id}"

    def is_active_on(self, day: dt.date) -> bool:
        return (
            self.status == self.Status.APPROVED
            and self.start_date <= day
            and (self.end_date is None or day <= self.end_date)
        )
