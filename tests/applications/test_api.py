"""/api/v1/applications/, /api/v1/responsibilities/ and /api/v1/application-lookup/: scope,
out of scope, the department's own, and the public lookup."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from applications.models import Application
from tests.applications.conftest import take

pytestmark = pytest.mark.django_db

LIST = "api-applications:application-list"


def _body(household, **extra):
    return {
        "household": str(household.uuid),
        "applicant": str(household.head.uuid),
        "category": "dibao",
        "channel": "window",
        "phone": "13912345678",
        "consent_given": True,
        **extra,
    }


def test_take_through_the_api_and_read_it_back(api, household, personas, window):
    response = api(personas.caseworker).post(reverse(LIST), _body(household), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "received"
    assert body["department"] == window.bureau.name
    assert "phone" not in body and "lookup_phone_hash" not in body
    detail = reverse("api-applications:application-detail", kwargs={"application_id": body["uuid"]})
    assert api(personas.supervisor).get(detail).status_code == 200
    assert api(personas.outsider).get(detail).status_code == 404


def test_take_validation_and_roles(api, household, far_household, personas, window):
    refused = api(personas.caseworker).post(
        reverse(LIST), _body(household, consent_given=False), format="json"
    )
    assert refused.status_code == 400
    assert "consent_given" in refused.json()
    out = api(personas.caseworker).post(reverse(LIST), _body(far_household), format="json")
    assert out.status_code == 404
    viewer = api(personas.viewer).post(reverse(LIST), _body(household), format="json")
    assert viewer.status_code == 403
    assert not Application.objects.exists()


def test_list_is_scoped_and_the_department_sees_its_own(
    api, household, far_household, personas, window, django_assert_max_num_queries
):
    mine = take(household, personas.caseworker)
    far = take(far_household, personas.outsider)
    with django_assert_max_num_queries(8):
        seen = api(personas.caseworker).get(reverse(LIST)).json()["results"]
    assert [a["reference"] for a in seen] == [mine.reference]
    admin = {a["reference"] for a in api(personas.admin).get(reverse(LIST)).json()["results"]}
    assert admin == {mine.reference, far.reference}
    department = api(window.clerk).get(reverse(LIST)).json()["results"]
    assert {a["reference"] for a in department} == {mine.reference, far.reference}
    assert api(personas.provider).get(reverse(LIST)).json()["results"] == []
    assert api(personas.no_area).get(reverse(LIST)).json()["results"] == []


def test_the_department_accepts_through_the_api(api, household, personas, window):
    application = take(household, personas.caseworker)
    url = reverse(
        "api-applications:application-accept", kwargs={"application_id": application.uuid}
    )
    assert api(personas.caseworker).post(url).status_code == 403
    assert api(personas.provider).post(url).status_code == 404
    response = api(window.clerk).post(url)
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    assert response.json()["investigation_due"]


def test_responsibilities_are_the_districts(api, personas, window):
    url = reverse("api-applications:responsibility-list")
    rows = api(personas.caseworker).get(url).json()["results"]
    assert {r["category"] for r in rows} == {"dibao", "dibian", "tekun", "zhichu"}
    assert api(personas.outsider).get(url).json()["results"]  # same district
    assert api(personas.provider).get(url).status_code == 403
    assert api(None).get(url).status_code in (401, 403)


def test_lookup_is_public_and_shows_no_personal_data(api, household, personas, window):
    application = take(household, personas.caseworker)
    cache.clear()
    url = reverse("api-applications:application-lookup")
    ok = api(None).post(
        url, {"reference": application.reference, "phone": "13912345678"}, format="json"
    )
    assert ok.status_code == 200
    assert set(ok.json()) == {
        "step",
        "step_label",
        "received_on",
        "accepted_on",
        "notice_start",
        "notice_end",
        "decided_on",
        "more_requested",
    }
    miss = api(None).post(url, {"reference": application.reference, "phone": "1"}, format="json")
    assert miss.status_code == 404
    for _ in range(10):
        api(None).post(url, {"reference": application.reference, "phone": "2"}, format="json")
    limited = api(None).post(
        url, {"reference": application.reference, "phone": "13912345678"}, format="json"
    )
    assert limited.status_code == 429
    cache.clear()


def test_notices_are_scoped(api, household, far_household, personas, window):
    from applications import services
    from tests.applications.conftest import investigate

    application = services.application_accept(
        actor=window.clerk, application=take(household, personas.caseworker)
    )
    investigate(application, personas.caseworker, window.partner)
    notice = services.notice_publish(
        actor=personas.supervisor,
        community=household.area.parent,
        applications=[application],
        hotline="0512-1",
    )
    url = reverse("api-applications:notice-list")
    rows = api(personas.caseworker).get(url).json()["results"]
    assert [(r["uuid"], r["applications"]) for r in rows] == [
        (str(notice.uuid), [application.reference])
    ]
    assert api(personas.outsider).get(url).json()["results"] == []
    assert api(personas.provider).get(url).json()["results"] == []
