"""The worklist rows written in Python are the reference template's bytes."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from cases.labels import worklist_row_html, worklist_words

pytestmark = pytest.mark.django_db  # the session's fixtures set the database up either way


def _row(**overrides: object) -> SimpleNamespace:
    row = SimpleNamespace(
        tier="B",
        household=SimpleNamespace(uuid=uuid.uuid4(), address='幸福路 1 号 <2> & "3"'),
        visit_url="/cases/households/x/visits/new/",
        detail_url="/households/x/?a=1&b=<2>",
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


def _reference(row: SimpleNamespace, key: str, mine_only: bool) -> str:
    context = {"f": row, "key": key, "work": SimpleNamespace(mine_only=mine_only)}
    words = worklist_words()
    context.update(
        due_label=words["due"],
        last_label=words["last"],
        never_label=words["never"],
        action_label=words["action"],
        file_label=words["file"],
    )
    return render_to_string("cases/_worklist_row.html", context)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("key", ["overdue", "today", "week"])
@pytest.mark.parametrize("mine_only", [True, False])
@pytest.mark.parametrize("last_text", ["", "2025-12-30"])
def test_worklist_row_html_is_the_reference_templates_output(language, key, mine_only, last_text):
    with translation.override(language):
        row = _row(last_text=last_text)
        expected = _reference(row, key, mine_only)
        assert worklist_row_html(row, key=key, mine_only=mine_only, words=worklist_words()) == (
            expected
        )
