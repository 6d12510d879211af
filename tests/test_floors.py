"""The apps above plug into the apps below at start-up (docs/architecture.md, "Floors")."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone

from cases import services
from cases.models import Visit
from cases.needs import needs_list
from cases.nightly import nightly_steps
from cases.panels import visit_sections, worklist_alerts, worklist_sections
from core.panels import Slot
from dashboards.slots import casework_sections, needs_sections
from households.panels import household_facts, household_file_sections, household_sections
from matching import visit_needs
from matching.models import Need


def test_matching_registers_its_needs_list_at_start_up():
    registered = needs_list()
    assert registered is not None
    assert registered.record is visit_needs.needs_from_visit
    assert registered.table()[0] == Need._meta.db_table


def test_the_upper_apps_fill_the_lower_apps_slots():
    templates = {
        slot.name: [panel.template for panel in slot.panels()]
        for slot in (
            household_facts,
            household_sections,
            household_file_sections,
            worklist_alerts,
            worklist_sections,
            visit_sections,
            needs_sections,
            casework_sections,
        )
    }
    assert templates == {
        "household_facts": ["reviews/_income_line.html"],
        "household_sections": [
            "cases/household_panel.html",
            "matching/household_needs.html",
            "applications/_household_applications.html",
            "outreach/_household_leads.html",
        ],
        "household_file_sections": ["cases/_household_file.html", "matching/_household_file.html"],
        "worklist_alerts": ["matching/_worklist_waiting.html"],
        "worklist_sections": ["reviews/_worklist_reviews.html", "outreach/_worklist_leads.html"],
        "visit_sections": ["reviews/_visit_reviews.html"],
        "needs_sections": ["outreach/_dashboard_leads.html"],
        "casework_sections": ["applications/_clock_panel.html"],
    }
    assert sorted(step.key for step in nightly_steps()) == [
        "review_dues_changed",
        "summary_months_added",
    ]


@pytest.mark.django_db
def test_a_visit_is_not_stored_when_its_needs_fail(household, personas, monkeypatch):
    def refuse(**kwargs):
        raise ValidationError({"subtype": "refused"})

    monkeypatch.setattr(visit_needs, "need_create", refuse)
    with pytest.raises(ValidationError):
        services.visit_log(
            actor=personas.caseworker,
            household=household,
            method="home",
            visited_at=timezone.now(),
            needs=[{"kind": "survival:living"}],
        )
    assert not Visit.objects.exists()
    assert not Need.objects.exists()


def test_a_slot_merges_its_panels_in_order_and_refuses_a_repeated_name():
    slot = Slot("things")
    slot.register(template="b.html", context=lambda *, actor: {"b": actor}, order=20)
    slot.register(template="a.html", context=lambda *, actor: {"a": actor}, order=10)
    assert slot.context(actor=1) == {"a": 1, "b": 1, "things": ["a.html", "b.html"]}
    slot.register(template="c.html", context=lambda *, actor: {"a": 2})
    with pytest.raises(ImproperlyConfigured):
        slot.context(actor=1)
