"""Reassigning follow-ups: every worker of the street, a selection at once, and the overdue
working list that drill-downs land on with their filter kept."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import selectors, services
from cases.models import FollowUp
from core.models import AuditEvent
from households.models import User
from tests import factories
from tests.ledgers.conftest import replica_is_default  # noqa: F401 — the ledger page reads it

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
OVERDUE = reverse("cases:overdue")
BULK = reverse("cases:followups_reassign_bulk")


def _login(client, user):
    client.force_login(user)
    return client


def _due(household, days_late=3, assignee=None) -> FollowUp:
    FollowUp.objects.filter(household=household, status="open").delete()
    due = TODAY - dt.timedelta(days=days_late)
    return FollowUp.objects.create(household=household, due=due, tier="B", assignee=assignee)


@pytest.fixture
def neighbour_worker(areas):
    """A social worker of 菉葭社区: the same street as the caseworker, another community."""
    return factories.user("neighbour_worker", role=User.Role.SOCIAL_WORKER, area=areas.neighbour)


@pytest.fixture
def far_worker(areas):
    return factories.user("far_worker", role=User.Role.SOCIAL_WORKER, area=areas.far)


def test_every_worker_of_the_street_is_offered(
    client, personas, household, neighbour_worker, far_worker
):
    _due(household, assignee=personas.caseworker)
    response = _login(client, personas.supervisor).get(OVERDUE)
    row = response.context["rows"][0]
    assert set(row.candidates) == {personas.caseworker, personas.teammate, neighbour_worker}
    assert row.candidates[-1] == neighbour_worker  # the household's own community first
    assert "neighbour_worker · 菉葭社区" in response.text
    assert "far_worker" not in response.text


def test_reassign_to_another_community_of_the_street_lends_the_household(
    client, personas, household, neighbour_worker
):
    followup = _due(household, assignee=personas.caseworker)
    detail = reverse("households:detail", args=[household.uuid])
    assert _login(client, neighbour_worker).get(detail).status_code == 404
    _login(client, personas.supervisor).post(
        reverse("cases:followup_reassign", args=[followup.uuid]),
        {"assignee": neighbour_worker.pk},
    )
    followup.refresh_from_db()
    assert (followup.assignee, followup.reassigned) == (neighbour_worker, True)
    # the worker now reads the household, finds it on their worklist, and may log the visit
    client = _login(client, neighbour_worker)
    assert client.get(detail).status_code == 200
    work = selectors.worklist(actor=neighbour_worker, today=TODAY)
    assert [f.household for f in work.overdue] == [household]
    assert client.get(reverse("cases:visit_log", args=[household.uuid])).status_code == 200
    # the nightly job keeps the choice
    services.followups_schedule()
    kept = FollowUp.objects.get(household=household, status="open")
    assert kept.assignee == neighbour_worker


def test_a_worker_of_another_street_cannot_be_chosen(
    client, personas, household, far_worker, areas
):
    followup = _due(household, assignee=personas.caseworker)
    url = reverse("cases:followup_reassign", args=[followup.uuid])
    # street staff are not even offered them; the district admin is refused by the rule
    for user in (personas.supervisor, personas.admin):
        response = _login(client, user).post(url, {"assignee": far_worker.pk}, follow=True)
        assert "街道的社工" in response.text
    followup.refresh_from_db()
    assert followup.assignee == personas.caseworker
    with pytest.raises(Exception, match="街道"):
        services.followup_reassign(actor=personas.admin, followup=followup, assignee=far_worker)


def test_reassign_out_of_scope_is_404(client, far_household, areas, neighbour_worker):
    followup = _due(far_household)
    staff = factories.user("staff2", role=User.Role.STREET_STAFF, area=areas.street)
    response = _login(client, staff).post(
        reverse("cases:followup_reassign", args=[followup.uuid]),
        {"assignee": neighbour_worker.pk},
    )
    assert response.status_code == 404


def test_bulk_reassign_moves_the_selection_through_the_service(
    client, personas, areas, neighbour_worker
):
    one = _due(factories.household(area=areas.grid), assignee=personas.caseworker)
    two = _due(factories.household(area=areas.community))
    next_url = f"{OVERDUE}?assignee=caseworker"
    response = _login(client, personas.supervisor).post(
        BULK,
        {"followup": [one.uuid, two.uuid], "assignee": neighbour_worker.pk, "next": next_url},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == next_url
    assert "已将 2 条跟进计划改派给 neighbour_worker" in response.text
    for f in (one, two):
        f.refresh_from_db()
        assert (f.assignee, f.reassigned) == (neighbour_worker, True)
        assert AuditEvent.objects.filter(verb="followup.reassign", object_id=f.pk).count() == 1


def test_bulk_reassign_is_all_or_nothing(client, personas, areas, neighbour_worker):
    one = _due(factories.household(area=areas.grid), assignee=personas.caseworker)
    done = _due(factories.household(area=areas.grid, head={"name": "李四"}, address="已办路1号"))
    FollowUp.objects.filter(pk=done.pk).update(status="done")
    response = _login(client, personas.supervisor).post(
        BULK, {"followup": [one.uuid, done.uuid], "assignee": neighbour_worker.pk}, follow=True
    )
    one.refresh_from_db()
    assert one.assignee == personas.caseworker
    assert "李四（已办路1号）" in response.text
    assert not AuditEvent.objects.filter(verb="followup.reassign").exists()


def test_bulk_reassign_with_a_foreign_followup_is_404_and_changes_nothing(
    client, personas, areas, household, far_household, neighbour_worker
):
    own = _due(household, assignee=personas.caseworker)
    foreign = _due(far_household)
    response = _login(client, personas.supervisor).post(
        BULK, {"followup": [own.uuid, foreign.uuid], "assignee": neighbour_worker.pk}
    )
    assert response.status_code == 404
    own.refresh_from_db()
    assert own.assignee == personas.caseworker


def test_bulk_reassign_by_a_social_worker_is_403_and_get_is_405(client, personas, household):
    followup = _due(household, assignee=personas.caseworker)
    client = _login(client, personas.caseworker)
    response = client.post(BULK, {"followup": [followup.uuid], "assignee": personas.teammate.pk})
    assert response.status_code == 403
    assert client.get(BULK).status_code == 405


def test_working_list_keeps_the_ledger_filters_and_links_the_export(
    client, personas, areas, neighbour_worker
):
    mine = _due(
        factories.household(area=areas.grid, address="我的路1号"), assignee=personas.caseworker
    )
    _due(factories.household(area=areas.grid, address="别人路2号"), assignee=personas.teammate)
    _due(factories.household(area=areas.neighbour, address="邻居路3号"))
    query = {"area": areas.community.code, "assignee": "caseworker", "overdue": "true"}
    response = _login(client, personas.supervisor).get(OVERDUE, query)
    assert [f.uuid for f in response.context["rows"]] == [mine.uuid]
    assert "共 1 户" in response.text
    export = response.context["export_url"]
    assert export.startswith(reverse("ledgers:rows", args=["followups"]))
    for part in (f"area={areas.community.code}", "assignee=caseworker", "overdue=true"):
        assert part in export
    # the ledger's own rows for that link are the same follow-up
    ledger = client.get(export)
    assert "我的路1号" in ledger.text and "别人路2号" not in ledger.text
    # and the ledger's way back to the working list keeps the filter
    back = reverse("cases:overdue") + "?" + export.split("?", 1)[1]
    assert back.replace("&", "&amp;") in ledger.text


def test_working_list_reads_in_a_fixed_number_of_queries(
    client, personas, areas, neighbour_worker, django_assert_num_queries
):
    client = _login(client, personas.supervisor)
    _due(factories.household(area=areas.grid), assignee=personas.caseworker)
    client.get(OVERDUE)
    with django_assert_num_queries(8) as few:
        client.get(OVERDUE)
    for n in range(5):
        area = areas.neighbour if n % 2 else areas.grid
        _due(factories.household(area=area), assignee=neighbour_worker if n % 2 else None)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(OVERDUE)
