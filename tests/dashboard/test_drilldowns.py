"""Every number on the dashboard opens a list of exactly the rows it counts (issue 15).

The demo world (seed_demo, then the nightly job) is walked panel by panel, cell by cell, as
street staff and as a district admin: each cell's drill-down, resolved as its page resolves
it, must hold as many rows as the cell shows.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.management import call_command
from django.http import QueryDict
from django.urls import resolve, reverse
from django.utils import timezone

from dashboards import panels as dashboard
from households import selectors
from households.models import User
from ledgers.definitions import get_ledger
from ledgers.exports import ledger_preview
from ledgers.views import _filters_from

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo", households=250, seed=5, stdout=io.StringIO())
    call_command("schedule_followups", stdout=io.StringIO())


def rows_behind(actor: User, url: str) -> int:
    """How many rows the drill-down `url` lists for `actor`."""
    parts = urlsplit(url)
    query = QueryDict(mutable=True)
    for key, value in parse_qsl(parts.query):
        query[key] = value
    if parts.path == reverse("households:list"):
        return selectors.household_list(actor=actor, filters=query).count()
    match = resolve(parts.path)
    assert match.url_name == "rows", url
    ledger = get_ledger(match.kwargs["name"])
    filters = _filters_from(query, ledger)
    assert set(filters) == {k for k, _v in parse_qsl(parts.query)}, (url, filters)
    return ledger_preview(actor=actor, ledger=ledger, filters=filters).total


def cells(actor: User, scope: dashboard.Scope) -> Iterator[tuple[str, int, str]]:
    """(what, number shown, drill-down url) for every linked number of every panel."""
    day = timezone.localdate()
    table = dashboard.caseload(scope=scope, day=day)
    for row in [*table.rows, table.area_row]:
        if row.code == scope.area.code and row is not table.area_row:
            continue  # rows registered directly in the area: none in the demo
        for code, cell in [*row.cells.items(), ("total", row.total)]:
            yield f"caseload {row.name} {code} 户", cell.households, cell.url
            yield f"caseload {row.name} {code} 人", cell.persons, cell.persons_url
    followups = dashboard.followups(scope=scope, day=day)
    for counts in [followups.total, *followups.by_area, *followups.by_worker]:
        yield f"followups {counts.name} overdue", counts.overdue, counts.overdue_url
    visits = dashboard.visits(scope=scope, day=day)
    for label, n, url in visits.method_rows:
        yield f"visits {label}", n, url
    needs = dashboard.needs(scope=scope)
    for t, _label in needs.types:
        for s, _l in needs.statuses:
            yield f"needs {t} {s}", needs.counts[t][s], needs.urls[t][s]
    referrals = dashboard.referrals(scope=scope)
    for code, _label, n, url in [*referrals.by_status, *referrals.by_outcome]:
        yield f"referrals {code}", n, url
    # A resource serving a wider area is used by households outside this one, which the
    # actor cannot list: only those inside the area are held to their count.
    for use in dashboard.resources(actor=actor, scope=scope, day=day, limit=200):
        if use.area_code.startswith(scope.area.prefix):
            yield f"resource {use.name}", use.used, use.url


@pytest.mark.parametrize("username", ["street", "admin"])
def test_every_dashboard_number_opens_exactly_its_rows(demo, username):
    actor = User.objects.select_related("area").get(username=username)
    scope = dashboard.dashboard_area(actor=actor)
    seen = 0
    wrong = []
    for what, shown, url in cells(actor, scope):
        behind = rows_behind(actor, url)
        seen += shown
        if behind != shown:
            wrong.append((what, shown, behind, url))
    assert not wrong
    assert seen > 0


def test_a_pending_application_is_not_in_the_caseload_drill_down(demo):
    """狮林社区 低保 9户 opened a list of 11: applications waiting were listed too."""
    from households.models import Enrolment

    actor = User.objects.select_related("area").get(username="street")
    pending = Enrolment.objects.filter(status=Enrolment.Status.APPLIED, category="dibao").first()
    assert pending is not None
    scope = dashboard.dashboard_area(actor=actor)
    table = dashboard.caseload(scope=scope, day=timezone.localdate())
    url = table.area_row.cells["dibao"].url
    listed = set(
        selectors.household_list(
            actor=User.objects.get(username="admin"),
            filters=dict(parse_qsl(urlsplit(url).query)),
        ).values_list("pk", flat=True)
    )
    only_pending = not Enrolment.objects.filter(
        household=pending.household_id, status=Enrolment.Status.APPROVED, category="dibao"
    ).exists()
    if only_pending:
        assert pending.household_id not in listed
