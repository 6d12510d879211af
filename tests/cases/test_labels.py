"""What a worklist row shows (templates/cases/_worklist_row.html), from the strings
cases.views._label_rows puts on it and the words the page translates once."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from cases import services
from cases.models import FollowUp

pytestmark = pytest.mark.django_db

WORDS = {
    "due_label": "应跟进",
    "last_label": "上次联系",
    "never_label": "从未走访",
    "action_label": "记录走访",
    "file_label": "档案",
}


def _row(**overrides: object) -> SimpleNamespace:
    row = SimpleNamespace(
        tier="B",
        household=SimpleNamespace(uuid=uuid.uuid4(), address='幸福路 1 号 <2> & "3"'),
        visit_url="/cases/households/x/visits/new/",
        detail_url="/households/x/?a=1&b=2",
        visit_label="记录走访：<王> & 李",
        name="王<五>",
        due_text="2026-01-02",
        late_text="逾期 3 天",
        last_text="",
        assignee_text="张 & 三",
    )
    for name, value in overrides.items():
        setattr(row, name, value)
    return row


def _render(row: SimpleNamespace, *, key: str = "today", mine_only: bool = True) -> str:
    context = {"f": row, "key": key, "work": SimpleNamespace(mine_only=mine_only), **WORDS}
    return render_to_string("cases/_worklist_row.html", context)


def test_a_row_links_to_the_visit_form_and_the_file_and_names_the_household():
    row = _row()
    html = _render(row)
    assert f'<li class="work-row tier-B" data-household="{row.household.uuid}">' in html
    assert (
        '<a class="row-link" href="/cases/households/x/visits/new/" '
        'aria-label="记录走访：&lt;王&gt; &amp; 李">'
    ) in html
    assert '<mark class="tier">B</mark> <strong>王&lt;五&gt;</strong>' in html
    assert '<small class="row-address">幸福路 1 号 &lt;2&gt; &amp; &quot;3&quot;</small>' in html
    assert '<span class="row-action">记录走访 ›</span>' in html
    assert '<a class="row-secondary" href="/households/x/?a=1&amp;b=2">档案</a>' in html


def test_a_row_shows_when_it_is_due_and_the_last_contact():
    html = _render(_row(last_text="2025-12-30"))
    assert '<span class="nowrap">应跟进 2026-01-02</span>' in html
    assert '<span class="nowrap">上次联系 2025-12-30</span>' in html
    never = _render(_row(last_text=""))
    assert '<span class="nowrap">上次联系 从未走访</span>' in never


@pytest.mark.parametrize("key", ["today", "week"])
def test_only_overdue_rows_say_how_late(key):
    assert '<span class="late">逾期 3 天</span>' in _render(_row(), key="overdue")
    assert "逾期" not in _render(_row(), key=key)


def test_the_assignee_shows_only_on_a_worklist_of_several_workers():
    assert " · 张 &amp; 三</small>" in _render(_row(), mine_only=False)
    assert "张" not in _render(_row(), mine_only=True)


def test_the_worklist_page_renders_its_rows_with_the_row_template(client, personas, household):
    services.followups_schedule()
    FollowUp.objects.filter(household=household).update(assignee=personas.caseworker)
    client.force_login(personas.caseworker)
    html = client.get(reverse("cases:worklist")).text
    visit = reverse("cases:visit_log", args=[household.uuid])
    detail = reverse("households:detail", args=[household.uuid])
    assert f'data-household="{household.uuid}"' in html
    assert f'<a class="row-link" href="{visit}"' in html
    assert f'<a class="row-secondary" href="{detail}">档案</a>' in html
    assert f'<small class="row-address">{household.address}</small>' in html
    assert "应跟进" in html
