"""/api/v1/applications/, /api/v1/responsibilities/ and /api/v1/application-lookup/: scope,
out of scope, the department's own, and the public lookup."""

from __future__ import annotations

from decimal import Decimal

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


# ---- the steps after acceptance -------------------------------------------------------------


def _step(name: str, application) -> str:
    return reverse(
        f"api-applications:application-{name}", kwargs={"application_id": application.uuid}
    )


def _accepted(household, personas, window, clock):
    import datetime as dt

    from applications import services

    clock.set(dt.date(2026, 9, 30))
    return services.application_accept(
        actor=window.clerk, application=take(household, personas.caseworker)
    )


def test_request_more_through_the_api(api, household, far_household, personas, window):
    application = take(household, personas.caseworker)
    far = take(far_household, personas.outsider)
    url = _step("request-more", application)
    assert api(personas.caseworker).post(url, {"text": "户口本"}, format="json").status_code == 403
    assert api(personas.provider).post(url, {"text": "户口本"}, format="json").status_code == 404
    assert api(personas.outsider).post(url, {"text": "x"}, format="json").status_code == 404
    blank = api(window.clerk).post(url, {"text": " "}, format="json")
    assert blank.status_code == 400 and "text" in blank.json()
    done = api(window.clerk).post(url, {"text": "户口本复印件"}, format="json")
    assert done.status_code == 200 and done.json()["more_requested"] == "户口本复印件"
    # The district admin handles any application of the district; the department its own.
    far_url = _step("request-more", far)
    assert api(personas.admin).post(far_url, {"text": "x"}, format="json").status_code == 200


def test_investigate_through_the_api(api, household, personas, window, clock):
    application = _accepted(household, personas, window, clock)
    url = _step("investigate", application)
    body = {
        "visited_on": "2026-10-09",
        "investigators": [personas.caseworker.username, window.partner.username],
        "household_size": 2,
        "monthly_income": "1800",
        "assets": "5000",
        "findings": "二人同住",
        "paper_signed": True,
    }
    assert api(personas.viewer).post(url, body, format="json").status_code == 403
    assert api(personas.outsider).post(url, body, format="json").status_code == 404
    assert api(window.clerk).post(url, body, format="json").status_code == 403  # a department
    stranger = api(personas.caseworker).post(
        url, {**body, "investigators": [personas.caseworker.username, "outsider"]}, format="json"
    )
    assert stranger.status_code == 400 and "investigators" in stranger.json()
    unsigned = api(personas.caseworker).post(url, {**body, "paper_signed": False}, format="json")
    assert unsigned.status_code == 400 and "signature" in unsigned.json()
    done = api(personas.caseworker).post(url, body, format="json")
    assert done.status_code == 201, done.json()
    assert done.json()["per_capita_income"] == "900.00"
    application.refresh_from_db()
    assert application.status == Application.Status.INVESTIGATING


def test_publish_object_approve_through_the_api(api, household, personas, window, clock):
    import datetime as dt

    from tests.applications.conftest import investigate

    application = _accepted(household, personas, window, clock)
    clock.set(dt.date(2026, 10, 9))
    investigate(application, personas.caseworker, window.partner)
    notices = reverse("api-applications:notice-list")
    body = {
        "community": household.area.parent.code,
        "applications": [application.reference],
        "hotline": "0512-12345",
    }
    assert api(personas.caseworker).post(notices, body, format="json").status_code == 403
    assert api(window.clerk).post(notices, body, format="json").status_code == 403
    outside = api(personas.supervisor).post(
        notices, {**body, "community": "320506002001"}, format="json"
    )
    assert outside.status_code == 404
    wrong = api(personas.supervisor).post(
        notices, {**body, "applications": ["SL-NOPE"]}, format="json"
    )
    assert wrong.status_code == 400 and "applications" in wrong.json()
    published = api(personas.supervisor).post(notices, body, format="json")
    assert published.status_code == 201, published.json()
    assert (published.json()["start"], published.json()["end"]) == ("2026-10-09", "2026-10-15")
    assert published.json()["applications"] == [application.reference]

    objection = _step("objection", application)
    assert api(window.clerk).post(objection, {"text": "有车"}, format="json").status_code == 403
    assert api(personas.provider).post(objection, {"text": "x"}, format="json").status_code == 404
    back = api(personas.supervisor).post(objection, {"text": "邻居反映有车辆"}, format="json")
    assert back.status_code == 200 and back.json()["status"] == "investigating"

    again = api(personas.supervisor).post(notices, body, format="json")
    assert again.status_code == 201
    approve = _step("approve", application)
    early = api(personas.admin).post(approve, {"monthly_amount": "590"}, format="json")
    assert early.status_code == 400 and "detail" in early.json()  # 公示期未满
    clock.set(dt.date(2026, 10, 16))
    assert (
        api(personas.supervisor).post(approve, {"monthly_amount": "590"}, format="json").status_code
        == 403
    )
    assert (
        api(personas.outsider).post(approve, {"monthly_amount": "590"}, format="json").status_code
        == 404
    )
    assert api(window.clerk).post(approve, {}, format="json").status_code == 400
    done = api(window.clerk).post(
        approve, {"monthly_amount": "590", "start_month": "2026-12"}, format="json"
    )
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "approved"
    application.refresh_from_db()
    assert application.start_month == dt.date(2026, 12, 1)
    assert application.enrolment.start_date == dt.date(2026, 12, 1)


def test_reject_and_record_the_notice_through_the_api(api, household, personas, window, clock):
    import datetime as dt

    from tests.applications.conftest import investigate

    application = _accepted(household, personas, window, clock)
    clock.set(dt.date(2026, 10, 9))
    investigate(application, personas.caseworker, window.partner, monthly_income=Decimal("9000"))
    api(personas.supervisor).post(
        reverse("api-applications:notice-list"),
        {
            "community": household.area.parent.code,
            "applications": [application.reference],
            "hotline": "0512-1",
        },
        format="json",
    )
    clock.set(dt.date(2026, 10, 16))
    reject = _step("reject", application)
    assert (
        api(personas.caseworker).post(reject, {"reason": "超标"}, format="json").status_code == 403
    )
    assert api(personas.provider).post(reject, {"reason": "超标"}, format="json").status_code == 404
    blank = api(window.clerk).post(reject, {"reason": " "}, format="json")
    assert blank.status_code == 400 and "reason" in blank.json()
    done = api(window.clerk).post(reject, {"reason": "人均收入超过低保标准"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "rejected"
    assert done.json()["due_on"]  # the written notice is on the clock

    sent = _step("notice-sent", application)
    assert api(personas.caseworker).post(sent).status_code == 403
    assert api(personas.outsider).post(sent).status_code == 404
    assert api(personas.provider).post(sent).status_code == 404
    recorded = api(personas.supervisor).post(sent)
    assert recorded.status_code == 200 and recorded.json()["due_on"] is None
    application.refresh_from_db()
    assert application.rejection_notice_sent_on == dt.date(2026, 10, 16)
