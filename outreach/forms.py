"""Forms of 政策找人: shapes only. Rules live in outreach/services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from matching.models import Need
from outreach.models import PolicyRule
from outreach.predicates import CATALOGUE
from outreach.rule_words import param_field


class PolicyRuleForm(forms.Form):
    """A condition of one kind (fixed by `code`), with a field in words for each parameter:
    the tier rule editor's fields, over this catalogue."""

    active = forms.BooleanField(label=_("启用"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    PARAM_PREFIX = "p_"

    def __init__(self, *args: Any, code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.code = code
        self.condition = CATALOGUE[code]
        for name, spec in self.condition.params.items():
            self.fields[self.PARAM_PREFIX + name] = param_field(name, spec)
        self.order_fields([*(self.PARAM_PREFIX + n for n in self.condition.params), "active"])

    @classmethod
    def initial_for(cls, rule: PolicyRule) -> dict[str, Any]:
        params = {**CATALOGUE[rule.code].defaults(), **(rule.params or {})}
        initial = {cls.PARAM_PREFIX + k: v for k, v in params.items()}
        return {**initial, "active": rule.active, "version": rule.version}

    @classmethod
    def initial_new(cls, code: str) -> dict[str, Any]:
        defaults = CATALOGUE[code].defaults()
        return {**{cls.PARAM_PREFIX + k: v for k, v in defaults.items()}, "active": True}

    def params(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data.get(self.PARAM_PREFIX + name) for name in self.condition.params
        }


class LeadActForm(forms.Form):
    urgency = forms.TypedChoiceField(
        label=_("紧急程度"), choices=Need.Urgency.choices, coerce=int, initial=Need.Urgency.MEDIUM
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class LeadDismissForm(forms.Form):
    reason = forms.CharField(
        label=_("忽略原因"),
        max_length=200,
        help_text=_("例如：已在外地享受、本人不愿申请。情况变化后线索会重新出现。"),
    )


class ExitFlagResolveForm(forms.Form):
    note = forms.CharField(
        label=_("处理说明"), max_length=200, help_text=_("例如：已安排复核、收入为一次性补发。")
    )
