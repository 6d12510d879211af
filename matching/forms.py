from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from households.forms import AreaChoiceField
from households.models import Area, Category, Member
from matching.models import Need, Referral
from resources.models import Resource

_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


class _KindFields(forms.Form):
    type = forms.ChoiceField(label=_("需求类型"), choices=Need.Type.choices)
    subtype = forms.ChoiceField(label=_("需求细类"), choices=Need.Subtype.choices)


class NeedForm(_KindFields):
    member = forms.ModelChoiceField(
        queryset=Member.objects.none(),
        label=_("涉及成员（全户可不选）"),
        required=False,
        empty_label=_("全户"),
    )
    urgency = forms.TypedChoiceField(
        label=_("紧急程度"), choices=Need.Urgency.choices, coerce=int, initial=2
    )
    source = forms.ChoiceField(
        label=_("来源"),
        choices=[
            (Need.Source.VISIT, Need.Source.VISIT.label),
            (Need.Source.WALK_IN, Need.Source.WALK_IN.label),
            (Need.Source.PHONE, Need.Source.PHONE.label),
        ],
    )
    quantity = forms.IntegerField(label=_("数量"), min_value=1, initial=1)
    description = forms.CharField(
        label=_("需求描述"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    latitude = forms.DecimalField(
        max_digits=9, decimal_places=6, required=False, widget=forms.HiddenInput
    )
    longitude = forms.DecimalField(
        max_digits=9, decimal_places=6, required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members


# The kinds of help in a resident's words: 生存型/关爱型/发展型 are the bureau's own terms.
HELP_KINDS = [
    ("survival", _("吃穿住、看病等基本生活有困难")),
    ("care", _("需要有人照顾、陪伴或上门帮忙")),
    ("development", _("上学、找工作、学技能")),
]


class CommunityField(forms.CharField):
    """A community typed or picked from a searchable list (an <input list> with a
    <datalist> of "街道 社区" names): the exact name, or a part of it only one community has."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.communities: QuerySet[Area] = Area.objects.none()

    @staticmethod
    def label_of(area: Area) -> str:
        return f"{area.parent.name} {area.name}" if area.parent_id else area.name

    def clean(self, value: Any) -> Area:
        text = " ".join(str(super().clean(value)).split())
        areas = list(self.communities)
        if text.isdigit():
            found = [a for a in areas if str(a.pk) == text]
        else:
            found = [a for a in areas if self.label_of(a) == text]
            found = found or [a for a in areas if text in self.label_of(a)]
        if len(found) != 1:
            raise ValidationError(_("请从列表中选择您所在的社区（可输入社区名称的几个字查找）。"))
        return found[0]


class HelpRequestForm(_KindFields):
    """一键求助: a phone, a community, what is needed. Nothing else is asked or shown back."""

    phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("社区工作人员会打这个电话与您核实"),
    )
    area = CommunityField(
        label=_("所在社区"),
        max_length=100,
        widget=forms.TextInput(attrs={"list": "help-communities", "autocomplete": "off"}),
        help_text=_("输入社区或街道名称的几个字，从列表中选择"),
    )
    description = forms.CharField(
        label=_("需要什么帮助"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # A field people never see (hidden by CSS): a form that fills it in is a robot.
    website = forms.CharField(required=False, label=_("网址"))

    def __init__(self, *args: Any, communities: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].communities = communities
        self.fields["type"].label = _("需要哪方面的帮助")
        self.fields["type"].choices = HELP_KINDS
        self.fields["subtype"].label = _("具体是")
        self.fields["description"].label = _("简单说说情况（可不填）")
        self.order_fields(["phone", "area", "type", "subtype", "description", "website"])

    def community_options(self) -> list[str]:
        return [CommunityField.label_of(a) for a in self.fields["area"].communities]

    def clean_phone(self) -> str:
        phone = "".join(self.cleaned_data["phone"].split())
        if not _PHONE.match(phone):
            raise ValidationError(_("请填写11位手机号或带区号的固定电话。"))
        return phone.replace("-", "")


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)


class VerifyForm(forms.Form):
    household = forms.UUIDField(label=_("家庭"), widget=forms.HiddenInput)
    urgency = forms.TypedChoiceField(
        label=_("紧急程度"), choices=Need.Urgency.choices, coerce=int, initial=2
    )


class ReferForm(forms.Form):
    resource = forms.UUIDField(widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("数量"), min_value=1, required=False)
    note = forms.CharField(label=_("给服务方的说明"), max_length=200, required=False)


class DeliverForm(forms.Form):
    quantity = forms.IntegerField(label=_("交付数量"), min_value=1)
    delivered_on = forms.DateField(label=_("交付日期"), widget=DateInput())
    note = forms.CharField(label=_("交付说明"), max_length=200, required=False)

    def __init__(self, *args: Any, referral: Referral | None = None, **kwargs: Any) -> None:
        if referral is not None:
            kwargs.setdefault(
                "initial", {"quantity": referral.quantity, "delivered_on": timezone.localdate()}
            )
        super().__init__(*args, **kwargs)


def _visit_label(visit: Any) -> str:
    return f"{timezone.localtime(visit.visited_at):%Y-%m-%d %H:%M} {visit.get_method_display()}"


class ConfirmForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("帮扶效果"), choices=Referral.Outcome.choices, widget=forms.RadioSelect
    )
    satisfaction = forms.TypedChoiceField(
        label=_("满意度"),
        choices=[("", "—"), *[(n, f"{n} ★") for n in range(5, 0, -1)]],
        coerce=int,
        empty_value=None,
        required=False,
    )
    visit = forms.ModelChoiceField(
        queryset=None,
        label=_("回访记录"),
        required=False,
        empty_label=_("（不关联走访记录）"),
    )
    note = forms.CharField(label=_("回访说明"), max_length=200, required=False)

    def __init__(self, *args: Any, visits: QuerySet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if visits is None:
            del self.fields["visit"]
        else:
            self.fields["visit"].queryset = visits
            # With the time: two visits of one day are told apart.
            self.fields["visit"].label_from_instance = _visit_label


class MatchRunForm(forms.Form):
    area = AreaChoiceField(queryset=Area.objects.none(), label=_("范围"))

    def __init__(self, *args: Any, areas: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas


_GROUP_CATEGORIES = [("", _("不限类别")), *Category.Code.choices]


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("活动名称"), max_length=100, initial=_("寒冬送温暖"))
    resource = forms.ModelChoiceField(queryset=Resource.objects.none(), label=_("物资"))
    area = AreaChoiceField(queryset=Area.objects.none(), label=_("范围"))
    per_household = forms.IntegerField(label=_("每户数量"), min_value=1, initial=1)
    per_member = forms.BooleanField(label=_("按在户人数发放"), required=False)
    note = forms.CharField(label=_("给服务方的说明"), max_length=200, required=False)
    GROUPS = 3

    def __init__(
        self, *args: Any, resources: QuerySet[Resource], areas: QuerySet[Area], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = resources
        self.fields["area"].queryset = areas
        for i in range(1, self.GROUPS + 1):
            self.fields[f"g{i}_category"] = forms.ChoiceField(
                label=_("第%(n)d组 · 救助类别") % {"n": i},
                choices=_GROUP_CATEGORIES,
                required=False,
            )
            self.fields[f"g{i}_one_person"] = forms.BooleanField(label=_("单人户"), required=False)
            self.fields[f"g{i}_orphan"] = forms.BooleanField(
                label=_("孤儿（无父母同住的未成年人）"), required=False
            )

    MAIN = ("name", "resource", "area", "per_household", "per_member", "note")

    def service_data(self) -> dict[str, Any]:
        """Everything but the group fields (those come through `groups()`)."""
        return {name: self.cleaned_data[name] for name in self.MAIN}

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.MAIN]

    def groups(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        groups = []
        for i in range(1, self.GROUPS + 1):
            group = {
                "category": data.get(f"g{i}_category") or "",
                "one_person": bool(data.get(f"g{i}_one_person")),
                "orphan": bool(data.get(f"g{i}_orphan")),
            }
            if any(group.values()):
                groups.append(group)
        return groups

    def group_rows(self) -> list[list[forms.BoundField]]:
        """The group fields, one row per group, for the template."""
        return [
            [self[f"g{i}_category"], self[f"g{i}_one_person"], self[f"g{i}_orphan"]]
            for i in range(1, self.GROUPS + 1)
        ]
