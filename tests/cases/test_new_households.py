"""A household registered or imported by a worker reaches the worklist at once: its responsible
worker, tier and first follow-up are set when the registration commits, not at night."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import FollowUp
from cases.services import _id_ranges
from households.ledger_import import ledger_import_commit, ledger_import_validate, template_rows
from households.models import Household
from tests import factories
from tests.ledgers.test_import import _write_csv

pytestmark = pytest.mark.django_db


def _open_followup(household: Household) -> FollowUp | None:
    return FollowUp.objects.filter(household=household, status=FollowUp.Status.OPEN).first()


def test_a_registered_household_is_tiered_and_scheduled_on_commit(
    personas, areas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        home = factories.household(area=areas.grid, actor=personas.caseworker)
    home.refresh_from_db()
    assert home.worker == personas.caseworker
    assert home.tier
    followup = _open_followup(home)
    assert followup is not None and followup.assignee == personas.caseworker


def test_nothing_is_scheduled_before_the_registration_commits(
    personas, areas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        home = factories.household(area=areas.grid, actor=personas.caseworker)
    assert _open_followup(home) is None
    assert len(callbacks) == 1


def test_a_system_load_is_left_to_the_nightly_run(areas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        factories.household(area=areas.grid, actor=None)
    assert callbacks == []


def test_a_street_officer_registering_is_not_made_the_responsible_worker(
    personas, areas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        home = factories.household(area=areas.grid, actor=personas.supervisor)
    home.refresh_from_db()
    assert home.worker is None
    followup = _open_followup(home)
    assert followup is not None
    assert followup.assignee in (personas.caseworker, personas.teammate)


def test_the_new_household_is_on_the_worklist_at_once(
    client, personas, areas, django_capture_on_commit_callbacks
):
    client.force_login(personas.caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("households:create"),
            {
                "household-area": areas.grid.pk,
                "household-address": "狮林寺巷99号",
                "head-name": "孙奶奶",
                "head-id_number": factories.id_number(),
                "head-health": "unknown",
                "head-has_caregiver": "unknown",
                "head-labour_capacity": "unknown",
                "head-employment": "unknown",
                "head-schooling": "unknown",
                "head-lives_alone": "unknown",
                "head-monthly_income": "0",
            },
        )
    assert response.status_code == 302
    assert "狮林寺巷99号" in client.get(reverse("cases:worklist")).text


def test_imported_households_are_scheduled_on_commit(
    tmp_path, settings, personas, areas, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = _write_csv(tmp_path / "template.csv", template_rows())
    batch = ledger_import_validate(actor=personas.admin, source=path, original_name=path.name)
    with django_capture_on_commit_callbacks(execute=True):
        ledger_import_commit(actor=personas.admin, batch=batch)
    imported = Household.objects.all()
    assert imported.count() == 2
    assert all(_open_followup(home) is not None for home in imported)


def test_id_ranges_cover_exactly_the_ids():
    assert _id_ranges([3, 4, 5, 9, 10, 20], 100) == [(2, 5), (8, 10), (19, 20)]
    assert _id_ranges([1, 2, 3, 4, 5], 2) == [(0, 2), (2, 4), (4, 5)]
    assert _id_ranges([], 10) == []
