from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.form_renderer import FastWidgetRenderer
from core.forms import DateInput
from core.models import AccessLog
from households import idnumber
from households.filters import ENROLLED_CHOICES, WAITED_CHOICES
from households.models import Area, Category, Household, Member


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        if obj.level == Area.Level.GRID and obj.parent_id:
            return f"{obj.parent.name} · {obj.name}"
        return obj.name


class HouseholdForm(forms.Form):
    area = AreaChoiceField(queryset=Area.objects.none(), label=_("所在社区/网格"))
    address = forms.CharField(label=_("家庭住址"), max_length=200)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, areas: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas

    @classmethod
    def initial_for(cls, household: Household) -> dict[str, Any]:
        return {
            "area": household.area_id,
            "address": household.address,
            "phone": household.phone,
            "note": household.note,
            "version": household.version,
        }


class YesNoUnknown(forms.NullBooleanSelect):
    """未知 / 是 / 否, 未知 first: a yes/no fact nobody has asked about yet."""

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs)
        self.choices = [("unknown", _("未知")), ("true", _("是")), ("false", _("否"))]


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("公民身份号码"),
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    # No default: a relation picked for the worker (户主, the first) was saved unread.
    relation = forms.ChoiceField(
        label=_("与户主关系"), choices=[("", _("请选择")), *Member.Relation.choices]
    )
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    disability_type = forms.ChoiceField(
        label=_("残疾类别"), choices=Member.DisabilityType.choices, required=False
    )
    disability_grade = forms.TypedChoiceField(
        label=_("残疾等级"),
        choices=[("", "—"), *Member.DisabilityGrade.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    health = forms.ChoiceField(label=_("健康状况"), choices=Member.Health.choices)
    illness = forms.CharField(label=_("疾病名称"), max_length=100, required=False)
    has_caregiver = forms.NullBooleanField(label=_("有人照料"), widget=YesNoUnknown, required=False)
    labour_capacity = forms.ChoiceField(label=_("劳动能力"), choices=Member.LabourCapacity.choices)
    employment = forms.ChoiceField(label=_("就业状况"), choices=Member.Employment.choices)
    schooling = forms.ChoiceField(label=_("在学情况"), choices=Member.Schooling.choices)
    lives_alone = forms.NullBooleanField(label=_("独居"), widget=YesNoUnknown, required=False)
    monthly_income = forms.DecimalField(
        label=_("月收入（元）"), min_value=0, max_digits=10, decimal_places=2, initial=0
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, editing: bool = False, with_relation: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _("不修改请留空")
            self.fields["status"] = forms.ChoiceField(
                label=_("状态"), choices=Member.Status.choices
            )
        if not with_relation:
            del self.fields["relation"]
        if not editing:
            # A new member's facts start as unknown, not as the likeliest guess.
            for name in ("health", "labour_capacity", "employment", "schooling"):
                self.fields[name].initial = "unknown"

    def clean_id_number(self) -> str:
        raw = self.cleaned_data.get("id_number", "")
        if not raw and self.editing:
            return ""
        return idnumber.parse(raw).number

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        has_type = bool(data.get("disability_type"))
        has_grade = data.get("disability_grade") is not None
        if has_type and not has_grade:
            self.add_error("disability_grade", _("请选择残疾等级。"))
        if has_grade and not has_type:
            self.add_error("disability_type", _("请选择残疾类别。"))
        return data

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if self.editing and not data.get("id_number"):
            data.pop("id_number", None)
        return data

    @classmethod
    def initial_for(cls, member: Member) -> dict[str, Any]:
        names = [*MemberFormFields, "version", "status"]
        return {name: getattr(member, name) for name in names}


MemberFormFields = [
    "name",
    "relation",
    "phone",
    "disability_type",
    "disability_grade",
    "health",
    "illness",
    "has_caregiver",
    "labour_capacity",
    "employment",
    "schooling",
    "lives_alone",
    "monthly_income",
]


class HouseholdSearchForm(forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("姓名或地址"), "type": "search"}),
    )
    area = forms.ChoiceField(label=_("区划"), required=False)
    category = forms.ChoiceField(
        label=_("救助类别"), required=False, choices=[("", _("全部类别")), *Category.Code.choices]
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *Household.Status.choices]
    )
    # A dashboard number's drill-down: the households it counts (active on `on`), kept through
    # the search form as hidden fields so a search or the pager stays inside that count.
    enrolled = forms.ChoiceField(
        label=_("享受救助（按统计口径）"),
        required=False,
        choices=[("", ""), *ENROLLED_CHOICES],
        widget=forms.HiddenInput,
    )
    on = forms.DateField(label=_("统计日期"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, areas: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("全部区划"))] + [
            (a.code, ("— " * _DEPTH.get(a.level, 0)) + a.name) for a in areas
        ]

    def enrolled_label(self) -> str:
        """The drill-down's category in words ("" when the list is not one)."""
        if not self.is_valid() or not self.cleaned_data.get("enrolled"):
            return ""
        return str(dict(ENROLLED_CHOICES)[self.cleaned_data["enrolled"]])

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {k: v.isoformat() if k == "on" else v for k, v in self.cleaned_data.items() if v}


_DEPTH = {"district": 0, "street": 1, "community": 2, "grid": 3}


class EnrolmentApplyForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(), label=_("救助类别"), to_field_name="code"
    )
    member = forms.ModelChoiceField(
        queryset=Member.objects.none(),
        label=_("救助对象（特困按人认定）"),
        required=False,
        to_field_name="uuid",
    )
    members = forms.ModelMultipleChoiceField(
        queryset=Member.objects.none(),
        label=_("覆盖成员（不选则为全部在户成员）"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        to_field_name="uuid",
    )
    start_date = forms.DateField(label=_("起始日期"), widget=DateInput())
    end_date = forms.DateField(
        label=_("终止日期"), required=False, widget=DateInput(), help_text=_("临时救助必填")
    )
    # One field for both kinds of payment: 临时救助 is paid once, every other category monthly.
    monthly_amount = forms.DecimalField(
        label=_("月救助金额 / 一次性救助金额（元）"),
        min_value=0,
        max_digits=10,
        decimal_places=2,
        initial=0,
        help_text=_("临时救助填一次性救助金额，其余类别填每月金额"),
    )
    review_due = forms.DateField(label=_("复核日期"), required=False, widget=DateInput())
    reason = forms.CharField(
        label=_("申请事由"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["members"].queryset = members


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("批准")), ("reject", _("不予批准"))])
    reason = forms.CharField(
        label=_("审批意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            raise ValidationError({"reason": _("不予批准时必须填写理由。")})
        return data


class BulkDecisionForm(DecisionForm):
    """One decision and one reason for every application ticked on the approvals page."""


class PendingFilterForm(forms.Form):
    """The approvals page's filters; areas are those in the reader's scope.

    A district's hundred-odd communities are one <select>: its widgets are written in Python
    (core.form_renderer), not by a template include per option.
    """

    default_renderer = FastWidgetRenderer()

    street = forms.ChoiceField(label=_("街道"), required=False)
    community = forms.ChoiceField(label=_("社区"), required=False)
    category = forms.ChoiceField(
        label=_("救助类别"), required=False, choices=[("", _("全部类别")), *Category.Code.choices]
    )
    waited = forms.ChoiceField(
        label=_("已等待"), required=False, choices=[("", _("不限等待时间")), *WAITED_CHOICES]
    )

    def __init__(self, *args: Any, areas: list[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        streets = [a for a in areas if a.level == Area.Level.STREET]
        communities = [a for a in areas if a.level == Area.Level.COMMUNITY]
        chosen = self.data.get("street") if self.is_bound else ""
        chosen_prefix = next((a.prefix for a in streets if a.code == chosen), "")
        self.fields["street"].choices = [("", _("全部街道")), *((a.code, a.name) for a in streets)]
        self.fields["community"].choices = [
            ("", _("全部社区")),
            *((a.code, a.name) for a in communities if a.prefix.startswith(chosen_prefix)),
        ]
        if len(streets) <= 1:
            del self.fields["street"]

    def filters(self) -> dict[str, str]:
        """The valid filters; an invalid one (an area out of scope) is shown as an error and
        left out, the others still apply."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v}


class IdNumberSearchForm(forms.Form):
    """Lookup by identity number: always POSTed, so the number stays out of every URL."""

    id_number = forms.CharField(
        label=_("按身份证号查找"),
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )

    def clean_id_number(self) -> str:
        return idnumber.parse(self.cleaned_data["id_number"]).number


class RevealForm(forms.Form):
    """Why a full identity number is needed (查看事由): required, logged, searchable."""

    reason = forms.CharField(
        label=_("查看事由"),
        max_length=100,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "placeholder": _("如：核对低保申请材料")}
        ),
    )


class AccessLogSearchForm(forms.Form):
    """The access-log search of the page: dates are whole local days, both included."""

    user = forms.CharField(label=_("用户名"), max_length=150, required=False)
    q = forms.CharField(label=_("家庭：成员姓名或地址"), max_length=100, required=False)
    household = forms.CharField(label=_("家庭编号"), max_length=2000, required=False)
    action = forms.ChoiceField(label=_("操作"), required=False)
    reason = forms.CharField(label=_("查看事由包含"), max_length=100, required=False)
    date_from = forms.DateField(label=_("起始日期（含）"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("截止日期（含）"), required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("全部操作")), *AccessLog.Action.choices]

    def clean_household(self) -> str:
        """One household's number, or several comma-separated (an identity-number search)."""
        raw = self.cleaned_data["household"].strip()
        try:
            return ",".join(str(uuid.UUID(part.strip())) for part in raw.split(",") if part)
        except ValueError:
            raise ValidationError(_("家庭编号格式不正确。")) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            raise ValidationError({"date_to": _("截止日期不能早于起始日期。")})
        return data

    def filters(self) -> dict[str, str]:
        """The selector's filters (since/until as local midnights); {} when invalid."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        keys = ("user", "q", "household", "action", "reason")
        filters = {k: str(data[k]) for k in keys if data.get(k)}
        if data.get("date_from"):
            filters["since"] = _midnight(data["date_from"]).isoformat()
        if data.get("date_to"):
            filters["until"] = _midnight(data["date_to"] + dt.timedelta(days=1)).isoformat()
        return filters


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
