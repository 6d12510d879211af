"""Forms of case work: shapes only. Rules live in cases/services.py."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import (
    FINDING_AREAS,
    HardshipAlert,
    ServiceActivity,
    Tier,
    TierRule,
    Visit,
    VisitPhoto,
)
from cases.needs import need_kind_choices, need_urgency_choices
from cases.predicates import CATALOGUE
from cases.rule_words import param_field
from core.form_renderer import FastWidgetRenderer
from core.forms import DateInput
from households.forms import AreaChoiceField, YesNoUnknown
from households.models import Area, Member, User

# The visit form is many small fields on one page: its widgets are written without templates.
_FAST = FastWidgetRenderer()


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


class VisitForm(forms.Form):
    default_renderer = _FAST
    method = forms.ChoiceField(
        label=_("走访方式"), choices=Visit.Method.choices, widget=forms.RadioSelect
    )
    visit_date = forms.DateField(label=_("走访日期"), widget=DateInput())
    visit_time = forms.TimeField(label=_("时间"), widget=TimeInput())
    companions = forms.CharField(
        label=_("同行人员"),
        max_length=200,
        required=False,
        help_text=_("与您一同走访的人，如网格员、志愿者"),
    )
    needs_noted = forms.CharField(
        label=_("发现的需求"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如：需要轮椅、孩子需要课业辅导"),
    )
    resolve_alerts = forms.BooleanField(label=_("急难情况已缓解，解除急难标记"), required=False)
    # The visit's own id, made on the device (static/js/visit-form.js) and filled here by the
    # server too, so that a form sent twice without JavaScript is still stored once.
    client_id = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, has_alerts: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for area, label in FINDING_AREAS:
            self.fields[f"{area}_status"] = forms.ChoiceField(
                label=label, choices=Visit.Finding.choices, required=False
            )
            note_label = _("%(area)s情况") % {"area": label}
            self.fields[f"{area}_note"] = forms.CharField(
                label=note_label,
                required=False,
                widget=forms.Textarea(attrs={"rows": 1, "placeholder": _("补充说明（可选）")}),
            )
        if not has_alerts:
            del self.fields["resolve_alerts"]

    @classmethod
    def initial_now(cls) -> dict[str, Any]:
        now = timezone.localtime()
        return {
            "visit_date": now.date(),
            "visit_time": now.time().replace(second=0, microsecond=0),
            "client_id": uuid.uuid4(),
        }

    def visited_at(self) -> dt.datetime:
        """The local date and time as an aware datetime (Asia/Shanghai)."""
        naive = dt.datetime.combine(
            self.cleaned_data["visit_date"], self.cleaned_data["visit_time"]
        )
        return timezone.make_aware(naive, timezone.get_default_timezone())

    def findings(self) -> dict[str, tuple[str, str]]:
        return {
            area: (self.cleaned_data[f"{area}_status"], self.cleaned_data[f"{area}_note"])
            for area, _label in FINDING_AREAS
        }

    def finding_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"{area}_status"], self[f"{area}_note"]) for area, _label in FINDING_AREAS]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("visit_date") and data.get("visit_time") and self.visited_at() > timezone.now():
            self.add_error("visit_date", _("走访时间不能晚于现在。"))
        return data


class MemberChangeForm(forms.Form):
    """What a visit may find changed about one member, pre-filled with the registry's values."""

    default_renderer = _FAST

    member = forms.UUIDField(widget=forms.HiddenInput)
    # The member's version and values the form was filled from: a form kept on the device
    # and sent later is compared with what changed meanwhile (cases.services.visit_log).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    base = forms.CharField(widget=forms.HiddenInput, required=False)
    status = forms.ChoiceField(label=_("状态"), choices=Member.Status.choices)
    health = forms.ChoiceField(label=_("健康状况"), choices=Member.Health.choices)
    illness = forms.CharField(label=_("疾病名称"), max_length=100, required=False)
    # 未知/是/否 like the registry: a box left unticked would record "no" for "not known".
    has_caregiver = forms.NullBooleanField(label=_("有人照料"), widget=YesNoUnknown, required=False)
    lives_alone = forms.NullBooleanField(label=_("独居"), widget=YesNoUnknown, required=False)
    employment = forms.ChoiceField(label=_("就业状况"), choices=Member.Employment.choices)
    monthly_income = forms.DecimalField(
        label=_("月收入（元）"), min_value=0, max_digits=10, decimal_places=2
    )

    FIELDS = [
        "status",
        "health",
        "illness",
        "has_caregiver",
        "lives_alone",
        "employment",
        "monthly_income",
    ]

    @classmethod
    def initial_for(cls, member: Member) -> dict[str, Any]:
        values = {name: getattr(member, name) for name in cls.FIELDS}
        plain = {k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()}
        return {
            "member": member.uuid,
            "version": member.version,
            "base": json.dumps(plain, ensure_ascii=False),
            **values,
        }

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.FIELDS}

    def base_state(self) -> dict[str, Any] | None:
        """{"version", "values"} the form was filled from, or None (an older form)."""
        version, raw = self.cleaned_data.get("version"), self.cleaned_data.get("base")
        if version is None or not raw:
            return None
        try:
            loaded = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(loaded, dict):
            return None
        values = {}
        for name in self.FIELDS:
            if name in loaded:
                try:
                    values[name] = self.fields[name].to_python(loaded[name])
                except forms.ValidationError:
                    return None
        return {"version": version, "values": values}


# renderer= here, not as a BaseFormSet attribute: formset_factory sets the class's renderer
# (None by default), and the management forms then went through the widget templates.
MemberChangeFormSet = forms.formset_factory(MemberChangeForm, extra=0, renderer=_FAST)


class NeedForm(forms.Form):
    """One need noticed on the visit, for matching/'s needs list; left blank, it is skipped."""

    default_renderer = _FAST

    kind = forms.ChoiceField(label=_("需求类型"), required=False)
    description = forms.CharField(label=_("需求说明"), max_length=500, required=False)
    urgency = forms.TypedChoiceField(label=_("紧急程度"), coerce=int, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("（无）")), *need_kind_choices()]
        self.fields["urgency"].choices = need_urgency_choices()
        self.fields["urgency"].initial = 2

    def need(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data.get("kind"):
            return None
        return {
            "kind": data["kind"],
            "description": data.get("description", ""),
            "urgency": data.get("urgency") or 2,
        }


NeedFormSet = forms.formset_factory(NeedForm, extra=2, renderer=_FAST)


class HardshipAlertForm(forms.Form):
    kind = forms.ChoiceField(label=_("急难类型"), choices=HardshipAlert.Kind.choices)
    occurred_on = forms.DateField(label=_("发生日期"), widget=DateInput())
    note = forms.CharField(
        label=_("情况说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class WorkerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj} · {obj.area.name}" if obj.area_id else str(obj)


class ReassignForm(forms.Form):
    assignee = WorkerChoiceField(queryset=User.objects.none(), label=_("改派给"))

    def __init__(self, *args: Any, workers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = workers


class TierRuleForm(forms.Form):
    """A rule of one kind (its predicate, fixed by `code`), with a field in words for each of
    that kind's parameters: categories, need types and disability grades to choose from,
    days and ages as numbers."""

    name = forms.CharField(label=_("规则名称"), max_length=100, help_text=_("显示为家庭的分层依据"))
    tier = forms.ChoiceField(label=_("风险分层"), choices=Tier.choices)
    interval_months = forms.IntegerField(label=_("跟进间隔（月）"), min_value=1, max_value=24)
    priority = forms.IntegerField(
        label=_("优先级"), min_value=0, max_value=1000, help_text=_("同一分层内数字小者优先显示")
    )
    active = forms.BooleanField(label=_("启用"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    PARAM_PREFIX = "p_"

    def __init__(self, *args: Any, code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.code = code
        self.predicate = CATALOGUE[code]
        for name, spec in self.predicate.params.items():
            self.fields[self.PARAM_PREFIX + name] = param_field(name, spec)

    @classmethod
    def initial_for(cls, rule: TierRule) -> dict[str, Any]:
        names = ["name", "tier", "interval_months", "priority", "active", "version"]
        initial = {name: getattr(rule, name) for name in names}
        predicate = CATALOGUE[rule.code]
        params = {**predicate.defaults(), **(rule.params or {})}
        initial.update({cls.PARAM_PREFIX + k: v for k, v in params.items()})
        return initial

    @classmethod
    def initial_new(cls, code: str) -> dict[str, Any]:
        defaults = CATALOGUE[code].defaults()
        initial = {"interval_months": 6, "priority": 100, "active": True}
        initial.update({cls.PARAM_PREFIX + k: v for k, v in defaults.items()})
        return initial

    def params(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data.get(self.PARAM_PREFIX + name) for name in self.predicate.params
        }

    def service_data(self) -> dict[str, Any]:
        data = {
            k: v
            for k, v in self.cleaned_data.items()
            if k != "version" and not k.startswith(self.PARAM_PREFIX)
        }
        data["params"] = self.params()
        return data

    def param_fields(self) -> list[Any]:
        return [self[self.PARAM_PREFIX + name] for name in self.predicate.params]

    def rule_fields(self) -> list[Any]:
        return [self[name] for name in ("name", "tier", "interval_months", "priority", "active")]


class ServiceActivityForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("服务类型"), choices=ServiceActivity.Kind.choices, widget=forms.RadioSelect
    )
    date = forms.DateField(label=_("服务日期"), widget=DateInput())
    area = AreaChoiceField(queryset=Area.objects.none(), label=_("服务社区/网格"))
    title = forms.CharField(label=_("服务主题"), max_length=100)
    sessions = forms.IntegerField(
        label=_("节数/次数"), min_value=1, initial=1, help_text=_("小组填写本期小组的节数")
    )
    attendees = forms.IntegerField(label=_("参与人数"), min_value=0, initial=1)
    person_times = forms.IntegerField(
        label=_("服务人次"), min_value=0, initial=1, help_text=_("各节参与人数之和")
    )
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, areas: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas


class VisitPhotoForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("照片类别"), choices=VisitPhoto.Kind.choices, widget=forms.RadioSelect
    )
    # capture: a phone opens its camera; the picture is shrunk on the phone before sending
    # (static/js/photo_resize.js) and checked again on the server (cases/photos.py).
    photo = forms.FileField(
        label=_("照片"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
