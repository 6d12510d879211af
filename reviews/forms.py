"""Forms of standards and reviews: plain fields in Chinese, never JSON."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from reviews.models import Review, Standard
from reviews.services import STANDARD_FIELDS


class StandardForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Standard
        fields = STANDARD_FIELDS
        widgets = {"effective_date": DateInput()}
        help_texts = {
            "effective_date": _("自该日起执行，直到下一条更晚的标准。"),
            "dibian_factor": _("低边家庭收入上限 = 低保标准 × 此倍数，通常为 1.5。"),
            "zhichu_months": _("最长 12 个月。"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def _post_clean(self) -> None:
        # The service validates and saves (district, uniqueness, history); the form only
        # checks each field's own shape.
        pass


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("复核结果"), choices=Review.Outcome.choices, widget=forms.RadioSelect
    )
    amount = forms.DecimalField(
        label=_("新的月救助金额（元）"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=_("仅“调整金额”时填写。"),
    )
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReviewFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), ("overdue", _("已逾期")), ("due", _("30 天内到期"))],
    )
    community = forms.ChoiceField(label=_("社区"), required=False)

    def __init__(self, *args: Any, communities: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", _("全部社区"))] + [
            (a.code, a.name) for a in communities
        ]

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}
