"""The fast widget renderer writes exactly what Django's widget templates write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from cases.forms import MemberChangeForm, NeedForm, VisitForm
from core.form_renderer import FastWidgetRenderer


class _Everything(forms.Form):
    text = forms.CharField(widget=forms.TextInput(attrs={"placeholder": 'a "quoted" <b>'}))
    number = forms.DecimalField()
    hidden = forms.UUIDField(widget=forms.HiddenInput)
    flag = forms.BooleanField(required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    pick = forms.ChoiceField(choices=[("", "—"), ("a", "<A> & B"), (3, 3)])
    grouped = forms.ChoiceField(choices=[("组", [("x", "X"), ("y", "Y")]), ("z", "Z")])
    many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")])
    radio = forms.ChoiceField(choices=[("a", "<A>"), ("b", "B")], widget=forms.RadioSelect)
    boxes = forms.MultipleChoiceField(
        choices=[("a", "A & a"), ("b", "B")], widget=forms.CheckboxSelectMultiple
    )


_DATA = {
    "text": "<script>x</script>",
    "number": "1.50",
    "hidden": "not-a-uuid",
    "flag": "on",
    "day": "2026-01-02",
    "note": 'line & "quote"\n<b>two</b>',
    "pick": "a",
    "grouped": "y",
    "many": ["a", "b"],
    "radio": "a",
    "boxes": ["b"],
}


def _both(form_class, **kwargs):
    slow = form_class(renderer=DjangoTemplates(), **kwargs)
    fast = form_class(renderer=FastWidgetRenderer(), **kwargs)
    return slow, fast


@pytest.mark.parametrize("data", [None, _DATA, {}])
def test_every_plain_widget_renders_as_the_templates_do(data):
    slow, fast = _both(_Everything, data=data, initial={"number": Decimal("2.5")})
    for name in slow.fields:
        assert str(fast[name]) == str(slow[name]), name
    for name in ("radio", "boxes"):
        for slow_option, fast_option in zip(slow[name], fast[name], strict=True):
            assert fast_option.tag() == slow_option.tag(), name
            assert str(fast_option) == str(slow_option), name  # the label-wrapped option
    assert str(fast) == str(slow)


@pytest.mark.django_db
def test_the_visit_forms_render_as_the_templates_do():
    now = {"visit_date": dt.date(2026, 1, 2), "visit_time": dt.time(9, 30)}
    for slow, fast in [
        _both(VisitForm, has_alerts=True, initial=now),
        _both(VisitForm, data={"method": "home", "living_status": "bad"}),
        _both(MemberChangeForm, initial={"status": "active", "monthly_income": Decimal("10")}),
        _both(MemberChangeForm, data={"monthly_income": "-1"}),
        _both(NeedForm),
    ]:
        for name in slow.fields:
            assert str(fast[name]) == str(slow[name]), name
        for slow_option, fast_option in zip(
            slow["method"] if "method" in slow.fields else [],
            fast["method"] if "method" in fast.fields else [],
            strict=True,
        ):
            assert fast_option.tag() == slow_option.tag()


@pytest.mark.django_db
def test_the_visit_formsets_render_their_management_forms_as_the_templates_do():
    from cases.forms import MemberChangeFormSet, NeedFormSet

    for formset_class, prefix in [(MemberChangeFormSet, "m"), (NeedFormSet, "n")]:
        fast = formset_class(prefix=prefix)
        slow = formset_class(prefix=prefix)
        slow.renderer = DjangoTemplates()
        assert fast.renderer.__class__ is FastWidgetRenderer
        assert str(fast.management_form) == str(slow.management_form)
