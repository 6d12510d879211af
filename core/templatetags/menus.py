"""The role menu, rendered once per role and language per process, not on every page.

The menu depends on nothing but the user's role, the language and the URL configuration,
so its HTML is kept (per worker process) after the first page that shows it.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag(takes_context=True)
def role_menu(context: Any) -> SafeString:
    role = getattr(context.get("user"), "role", "") or ""
    return _menu(role, get_language() or "", get_script_prefix())


@functools.lru_cache(maxsize=64)
def _menu(role: str, language: str, prefix: str) -> SafeString:
    # `language` and `prefix` are keys only: rendering uses the active ones, which they are.
    html = render_to_string("partials/nav.html", {"user": SimpleNamespace(role=role)})
    return mark_safe(html)  # noqa: S308 — our own template's output, escaped as it rendered
