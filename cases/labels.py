"""Links, dates and labels of list rows, made once per row in Python rather than by template
tags: a `{% url %}`, a `|date` and a `get_…_display` per row were most of what a long list
cost to render (choice labels come from core.choices' table per field). The strings are the
templates' own (same msgids, same formats), and the templates still escape them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django.utils import timezone

from core.choices import choice_label

# A placeholder reversed once per request; each row's URL is the pattern with its uuid in it,
# so a page of rows costs string replaces rather than a URL resolver walk per link.
_UUID_SLOT = "00000000-0000-0000-0000-000000000000"


def url_maker(name: str) -> Callable[[Any], str]:
    pattern = reverse(name, args=[_UUID_SLOT])
    return lambda uuid: pattern.replace(_UUID_SLOT, str(uuid), 1)


def label_timeline(visits: list[Any]) -> list[Any]:
    """The household page's visit rows (templates/cases/household_panel.html): `url`, `when`
    (`|date:"Y-m-d H:i"` in the current time zone), `method_label` and `worker_text`."""
    detail_url = url_maker("cases:visit_detail")
    for visit in visits:
        visit.url = detail_url(visit.uuid)
        visit.when = timezone.localtime(visit.visited_at).strftime("%Y-%m-%d %H:%M")
        visit.method_label = choice_label(visit, "method")
        visit.worker_text = str(visit.worker) if visit.worker_id else "—"
    return visits
