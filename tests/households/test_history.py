"""A household's timeline: every change to it and to what belongs to it, newest first."""

from __future__ import annotations

import pghistory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import history
from core.models import AccessLog
from households import selectors, services
from households.models import Area, Household, Member
from tests import factories

pytestmark = pytest.mark.django_db


def _url(household, **query):
    url = reverse("households:history", args=[household.uuid])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def _edit(client, household, **changes):
    household.refresh_from_db()
    data = {
        "area": household.area_id,
        "address": household.address,
        "phone": household.phone,
        "note": household.note,
        "version": household.version,
        **changes,
    }
    response = client.post(reverse("households:edit", args=[household.uuid]), data)
    assert response.status_code == 302, response.content[:500]


def test_history_shows_who_changed_what_newest_first(client, personas, household):
    client.force_login(personas.caseworker)
    _edit(client, household, phone="051265110009", note="低保复核中")
    response = client.get(_url(household))
    assert response.status_code == 200
    text = response.text
    # The edit came through a request: the caseworker's name, Chinese labels, old → new.
    assert "修改家庭" in text and "caseworker" in text
    assert "联系电话" in text and "051265110009" in text
    assert "<del>" in text and "备注" in text and "低保复核中" in text
    # The registration (by a service with no request) is there too, older, as the system.
    assert "新建家庭" in text and "新建家庭成员" in text and "王小明" in text
    assert text.index("修改家庭") < text.index("新建家庭成员")


def test_history_includes_members_and_enrolments(client, personas, household):
    member = household.members.get(name="王小明")
    services.member_update(
        actor=personas.caseworker, member=member, data={"health": Member.Health.SERIOUS}
    )
    factories.enrolment(household=household)
    page = history.timeline(root=household)
    kinds = [(e.kind, e.model) for e in page.entries]
    assert ("update", "家庭成员") in kinds
    assert ("insert", "救助认定") in kinds and ("update", "救助认定") in kinds
    change = next(e for e in page.entries if e.kind == "update" and e.model == "家庭成员")
    assert [(c.label, c.old, c.new) for c in change.changes] == [("健康状况", "健康", "重病/大病")]


def test_history_never_shows_an_identity_number(client, personas, household):
    member = household.members.get(name="王小明")
    old_masked = member.id_number_masked
    new_number = factories.id_number()
    services.member_update(actor=personas.caseworker, member=member, data={"id_number": new_number})
    member.refresh_from_db()
    client.force_login(personas.admin)
    text = client.get(_url(household)).text
    assert "已变更" in text
    for secret in (new_number, member.id_number_masked, old_masked, member.id_number_hash):
        assert secret not in text
    for m in household.members.all():
        assert m.id_number_masked not in text


def test_history_is_scoped_like_the_household(client, personas, household, far_household):
    client.force_login(personas.caseworker)
    assert client.get(_url(far_household)).status_code == 404
    client.force_login(personas.provider)
    assert client.get(_url(household)).status_code == 404
    client.force_login(personas.no_area)
    assert client.get(_url(household)).status_code == 404
    client.force_login(personas.viewer)  # the auditor reads it
    assert client.get(_url(household)).status_code == 200


def test_history_requires_login(client, household):
    response = client.get(_url(household))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_history_refuses_writes(client, personas, household):
    client.force_login(personas.caseworker)
    assert client.post(_url(household)).status_code == 405


def test_viewing_history_is_in_the_access_log(client, personas, household):
    client.force_login(personas.viewer)
    client.get(_url(household))
    entry = AccessLog.objects.get(action="view_household", actor=personas.viewer)
    assert entry.household_id == household.pk and entry.detail == {"page": "history"}


def _many_updates(household: Household, n: int) -> None:
    """n updates in n statements, as a job would make them (the triggers keep each)."""
    with pghistory.context(source="test"):
        for i in range(n):
            Household.objects.filter(pk=household.pk).update(note=f"第{i}次")


def test_history_pages_by_keyset_with_no_gap_or_repeat(client, personas, household):
    # In one test transaction every event has the same time: the tie-breaks are exercised.
    before = len(history.timeline(root=household, size=1000).entries)
    _many_updates(household, 70)
    client.force_login(personas.caseworker)
    seen, after, pages = [], None, 0
    while True:
        page = history.timeline(root=household, after=after)
        seen += [(e.source, e.pgh_id) for e in page.entries]
        pages += 1
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert pages == 3
    assert len(seen) == len(set(seen)) == 70 + before
    response = client.get(_url(household))
    assert "更早的记录" in response.text and "第69次" in response.text
    assert "第0次" not in response.text


def test_history_ignores_a_forged_cursor(client, personas, household):
    client.force_login(personas.caseworker)
    response = client.get(_url(household, after="forged"))
    assert response.status_code == 200 and "新建家庭" in response.text


def test_history_costs_the_same_queries_for_a_few_events_or_many(personas, household):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            selectors.household_history(actor=personas.caseworker, household_id=household.uuid)
        return len(ctx.captured_queries)

    # Per event table a page and the snapshots before its updates; the people and the
    # related names (area, worker, head) of the whole page.
    bound = 2 * len(history.sources(Household)) + 4
    _many_updates(household, 2)
    assert count() <= bound
    _many_updates(household, 200)
    many = count()
    _many_updates(household, 400)
    assert count() == many <= bound


def test_timeline_sources_are_discovered_from_the_models():
    labels = {s.label for s in history.sources(Household)}
    assert {"households.householdevent", "households.memberevent"} <= labels
    assert "households.enrolmentevent" in labels
    assert "households.areaevent" not in labels
    # One hop: a member's events reach an area through their household.
    by_label = {s.label: s.lookup for s in history.sources(Area)}
    assert by_label["households.memberevent"] == "household__area_id"
