"""Forms of 一门受理: shapes only; the rules are in services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.defaults import MOVES_AFTER_DIBAO
from applications.models import Application, ApplicationDocument, Responsibility
from households.models import Category


class TakeForm(forms.Form):
    applicant = forms.ModelChoiceField(queryset=None, label=_("申请人"), empty_label=None)
    category = forms.ModelChoiceField(queryset=None, label=_("申请类别"), empty_label=None)
    channel = forms.ChoiceField(
        choices=Application.Channel.choices, label=_("受理渠道"), widget=forms.RadioSelect
    )
    phone = forms.CharField(
        label=_("申请人联系电话"),
        max_length=20,
        help_text=_("申请人凭受理编号和此电话查询办理进度。"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    reason = forms.CharField(
        label=_("申请事由"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    document_kind = forms.ChoiceField(
        choices=ApplicationDocument.Kind.choices, label=_("材料类别"), required=False
    )
    document = forms.FileField(
        label=_("收到的材料（拍照或扫描件）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
    )
    consent_given = forms.BooleanField(
        label=_("申请人已签署家庭经济状况核对授权书"), required=False
    )

    def __init__(self, *args: Any, members: Any, categories: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["applicant"].queryset = members
        self.fields["category"].queryset = categories


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(choices=ApplicationDocument.Kind.choices, label=_("材料类别"))
    file = forms.FileField(
        label=_("材料"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
    )


class TextForm(forms.Form):
    text = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 3}))


class InvestigationForm(forms.Form):
    visited_on = forms.DateField(
        label=_("调查日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    investigators = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("调查人员（至少两名）"),
        widget=forms.CheckboxSelectMultiple,
    )
    household_size = forms.IntegerField(label=_("共同生活家庭成员人数"), min_value=1)
    monthly_income = forms.DecimalField(
        label=_("家庭月收入（元）"), min_value=0, max_digits=10, decimal_places=2
    )
    assets = forms.DecimalField(
        label=_("家庭财产（元）"), min_value=0, max_digits=12, decimal_places=2
    )
    rigid_spending = forms.DecimalField(
        label=_("刚性支出（元/月）"),
        min_value=0,
        max_digits=10,
        decimal_places=2,
        required=False,
        help_text=_("医疗、教育等必需支出，按月折算。"),
    )
    findings = forms.CharField(
        label=_("调查情况"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    signature = forms.CharField(required=False, widget=forms.HiddenInput)
    paper_signed = forms.BooleanField(label=_("在场人员已在纸质调查表上签字"), required=False)

    def __init__(self, *args: Any, investigators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["investigators"].queryset = investigators
        self.fields["investigators"].label_from_instance = lambda u: str(u)

    def clean_signature(self) -> str:
        value = self.cleaned_data["signature"]
        if value and (not value.startswith("data:image/png;base64,") or len(value) > 400_000):
            raise forms.ValidationError(_("签名无法识别，请重新签名。"))
        return value


class ApproveForm(forms.Form):
    monthly_amount = forms.DecimalField(
        label=_("月救助金额（元）"), min_value=0, max_digits=10, decimal_places=2
    )
    start_month = forms.DateField(
        label=_("救助起始月份"),
        required=False,
        help_text=_("默认为批准的次月。"),
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
    )
    reason = forms.CharField(label=_("审批意见"), required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("不予批准的理由"), widget=forms.Textarea(attrs={"rows": 3}))


class MoveForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(code__in=MOVES_AFTER_DIBAO),
        label=_("转为"),
        empty_label=None,
    )


class NoticeForm(forms.Form):
    applications = forms.ModelMultipleChoiceField(
        queryset=None, label=_("列入公示的申请"), widget=forms.CheckboxSelectMultiple
    )
    hotline = forms.CharField(label=_("监督电话"), max_length=30)

    def __init__(self, *args: Any, ready: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = ready
        self.fields["applications"].label_from_instance = lambda a: (
            f"{a.reference} · {a.applicant.name} · {a.category.name}"
        )


class ResponsibilityForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Responsibility
        fields = [
            "category",
            "department",
            "steps",
            "accept_days",
            "investigate_days",
            "notice_days",
            "total_days",
            "reject_notice_days",
            "investigation_required",
            "notice_required",
        ]
        widgets = {"steps": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, departments: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        if editing:
            del self.fields["category"]

    def validate_unique(self) -> None:
        """Uniqueness is the service's to check, with the district it alone knows."""


class CalendarDayForm(forms.Form):
    day = forms.DateField(
        label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    is_workday = forms.TypedChoiceField(
        label=_("调整为"),
        choices=[("0", _("放假")), ("1", _("上班"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("说明"), max_length=100, required=False)


class LookupForm(forms.Form):
    reference = forms.CharField(label=_("受理编号"), max_length=20)
    phone = forms.CharField(
        label=_("申请时登记的电话"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )


def first_of_month(day: dt.date | None) -> dt.date | None:
    return day.replace(day=1) if day else None
