"""A form renderer that writes the plain widgets in Python, byte for byte as Django's templates do.

Django renders every widget through its template engine: a <select> is one template plus an
`{% include %}` per option, each with another include for its attributes. On a page of many
small forms (the visit form: findings, one form per member, the needs) that was about 40% of
the page's time. The templates rendered here are the ones whose markup is fixed and small
(input, select, textarea); any other widget, or a project that overrides these templates,
still goes through the template engine. tests/test_form_renderer.py compares the two.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


def _text(value: Any) -> str:
    """`{{ value }}` in a template: localized, then escaped unless already safe."""
    return conditional_escape(localize(value))


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


def _input(widget: dict[str, Any]) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
    name = conditional_escape(widget["name"])
    return f'<input type="{_text(widget["type"])}" name="{name}"{shown}{_attrs(widget["attrs"])}>'


def _textarea(widget: dict[str, Any]) -> str:
    value = _text(widget["value"]) if widget["value"] else ""
    name = conditional_escape(widget["name"])
    return f'<textarea name="{name}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _option(option: dict[str, Any]) -> str:
    value = conditional_escape(str(option["value"]))
    label = _text(option["label"])
    return f'<option value="{value}"{_attrs(option["attrs"])}>{label}</option>'


def _select(widget: dict[str, Any]) -> str:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            if option["template_name"] != _OPTION:
                return ""  # an unusual option: let the templates do the whole select
            parts.append(f"\n  {_option(option)}\n")  # the option template ends in a newline
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _input_option(widget: dict[str, Any]) -> str:
    """django/forms/widgets/input_option.html (a radio or checkbox choice: `option.tag`)."""
    html = _input(widget)
    if not widget.get("wrap_label"):
        return html
    label_id = widget["attrs"].get("id")
    label_for = f' for="{_text(label_id)}"' if label_id else ""
    # The included input.html keeps its final newline inside the label; only the whole
    # output is stripped (BaseRenderer.render).
    return f"<label{label_for}>{html}\n {_text(widget['label'])}</label>"


_OPTION = "django/forms/widgets/select_option.html"
_INPUTS = ("text", "number", "hidden", "checkbox", "date", "time", "email", "password", "url")
_FAST: dict[str, Callable[[dict[str, Any]], str]] = {
    "django/forms/widgets/input.html": _input,
    **{f"django/forms/widgets/{kind}.html": _input for kind in _INPUTS},
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
    "django/forms/widgets/radio_option.html": _input_option,
    "django/forms/widgets/checkbox_option.html": _input_option,
}


class FastWidgetRenderer(DjangoTemplates):
    """Django's default renderer, with the plain widgets written directly."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        fast = _FAST.get(template_name)
        widget = context.get("widget")
        if fast is not None and widget is not None:
            html = fast(widget)
            if html:
                return mark_safe(html)  # noqa: S308 — every value above is escaped
        return super().render(template_name, context, request)
