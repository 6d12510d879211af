"""Pages and API of standards and reviews: scope (out of scope reads as 404) and roles."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from households.models import Enrolment
from households.services import member_update
from reviews.models import Review, Standard
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def due(household, standard, personas):
    """An approved 低保 of the caseworker's household, its review overdue by 5 days."""
    e = factories.enrolment(household=household, monthly_amount=Decimal("600"))
    household.worker = personas.caseworker
    household.save(update_fields=["worker"])
    Enrolment.objects.filter(pk=e.pk).update(review_due=timezone.localdate() - dt.timedelta(days=5))
    e.refresh_from_db()
    return e


@pytest.fixture
def far_due(far_household, standard):
    e = factories.enrolment(household=far_household)
    Enrolment.objects.filter(pk=e.pk).update(review_due=timezone.localdate())
    e.refresh_from_db()
    return e


def _form(e, **data):
    return {"outcome": "unchanged", "reason": "家庭情况无变化", "version": e.version, **data}


# ---- household page ----------------------------------------------------------------------


def test_household_page_shows_per_capita_income_against_the_standard(
    client, household, standard, personas
):
    member_update(actor=None, member=household.head, data={"monthly_income": Decimal("1624")})
    client.force_login(personas.caseworker)
    page = client.get(reverse("households:detail", args=[household.uuid])).content.decode()
    # 1,624 元 over the head and 王小明: 812 a month each.
    assert "人均月收入" in page and "812 元" in page
    assert "低保标准 1,195 元" in page and "2026-07-01 起" in page


# ---- worklist and the due list -------------------------------------------------------------


def test_worklist_has_a_section_of_due_reviews(client, due, far_due, personas):
    client.force_login(personas.caseworker)
    page = client.get(reverse("cases:worklist")).content.decode()
    assert 'id="section-reviews"' in page
    assert reverse("reviews:record", args=[due.uuid]) in page
    assert str(far_due.uuid) not in page


def test_worklist_shows_a_worker_only_their_own_households(client, due, personas):
    client.force_login(personas.teammate)
    page = client.get(reverse("cases:worklist")).content.decode()
    assert str(due.uuid) not in page


def test_street_sees_due_reviews_by_community(client, due, far_due, personas):
    client.force_login(personas.supervisor)
    page = client.get(reverse("reviews:due")).content.decode()
    assert "狮林社区" in page and str(due.uuid) in page
    assert "南门社区" not in page and str(far_due.uuid) not in page
    overdue = client.get(reverse("reviews:due"), {"status": "due"}).content.decode()
    assert str(due.uuid) not in overdue


def test_due_list_is_403_for_a_provider(client, personas):
    client.force_login(personas.provider)
    assert client.get(reverse("reviews:due")).status_code == 403


# ---- recording a review -------------------------------------------------------------------


def test_record_a_review_from_the_list(client, due, personas):
    client.force_login(personas.caseworker)
    url = reverse("reviews:record", args=[due.uuid])
    assert client.get(url).status_code == 200
    response = client.post(url, _form(due, outcome="amount", amount="480"))
    assert response.status_code == 302
    due.refresh_from_db()
    assert due.monthly_amount == Decimal("480") and due.review_due > timezone.localdate()
    # The same form again: stored once.
    again = client.post(url, _form(due, outcome="amount", amount="480", version=due.version - 1))
    assert again.status_code == 302
    assert Review.objects.count() == 1


def test_record_a_review_from_a_visit(client, due, personas):
    from tests.factories import visit

    v = visit(household=due.household, actor=personas.caseworker)
    client.force_login(personas.caseworker)
    detail = client.get(reverse("cases:visit_detail", args=[v.uuid])).content.decode()
    link = f"{reverse('reviews:record', args=[due.uuid])}?visit={v.uuid}"
    assert link in detail
    assert client.post(link, _form(due)).status_code == 302
    assert Review.objects.get().visit == v


def test_bad_review_input_shows_the_error_and_stores_nothing(client, due, personas):
    client.force_login(personas.caseworker)
    url = reverse("reviews:record", args=[due.uuid])
    response = client.post(url, _form(due, outcome="amount"))
    assert response.status_code == 400
    assert "调整金额时请填写新的月救助金额" in response.content.decode()
    assert not Review.objects.exists()


def test_review_out_of_scope_is_404_and_an_auditor_is_refused(client, due, personas):
    url = reverse("reviews:record", args=[due.uuid])
    client.force_login(personas.outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, _form(due)).status_code == 404
    client.force_login(personas.viewer)
    assert client.get(url).status_code == 403
    assert client.post(url, _form(due)).status_code == 403
    assert not Review.objects.exists()


# ---- standards pages ----------------------------------------------------------------------

STANDARD_FORM = {
    "effective_date": "2027-01-01",
    "dibao": "1250",
    "tekun_basic": "1625",
    "tekun_care_full": "260",
    "tekun_care_partial": "780",
    "tekun_care_none": "1560",
    "dibian_factor": "1.5",
    "rigid_share": "50",
    "dibao_stable_months": "12",
    "dibao_unstable_months": "6",
    "tekun_months": "12",
    "dibian_months": "12",
    "zhichu_months": "12",
}


def test_admin_adds_a_standard_through_the_form(client, standard, personas):
    client.force_login(personas.admin)
    assert client.get(reverse("reviews:standard_create")).status_code == 200
    response = client.post(reverse("reviews:standard_create"), STANDARD_FORM)
    assert response.status_code == 302
    assert Standard.objects.filter(effective_date=dt.date(2027, 1, 1), dibao=1250).exists()


def test_standard_form_refuses_more_than_12_months_for_zhichu(client, personas, areas):
    client.force_login(personas.admin)
    response = client.post(
        reverse("reviews:standard_create"), {**STANDARD_FORM, "zhichu_months": "18"}
    )
    assert response.status_code == 400
    assert not Standard.objects.exists()


def test_admin_edits_a_standard(client, standard, personas):
    client.force_login(personas.admin)
    url = reverse("reviews:standard_edit", args=[standard.uuid])
    assert client.get(url).status_code == 200
    data = {**STANDARD_FORM, "effective_date": "2026-07-01", "dibao": "1200", "version": 1}
    assert client.post(url, data).status_code == 302
    standard.refresh_from_db()
    assert standard.dibao == 1200 and standard.version == 2


def test_a_worker_reads_standards_but_cannot_edit_them(client, standard, personas):
    client.force_login(personas.caseworker)
    page = client.get(reverse("reviews:standards")).content.decode()
    assert "1,195" in page and reverse("reviews:standard_create") not in page
    assert client.get(reverse("reviews:standard_create")).status_code == 403
    assert client.post(reverse("reviews:standard_create"), STANDARD_FORM).status_code == 403
    edit = reverse("reviews:standard_edit", args=[standard.uuid])
    assert client.post(edit, {**STANDARD_FORM, "version": 1}).status_code == 403


def test_another_districts_standard_is_404(client, standard, personas):
    other = factories.area("320507000000", "相城区", "district")
    foreign = Standard.objects.create(
        district=other,
        effective_date=dt.date(2026, 1, 1),
        dibao=1100,
        tekun_basic=0,
        tekun_care_full=0,
        tekun_care_partial=0,
        tekun_care_none=0,
    )
    client.force_login(personas.admin)
    assert client.get(reverse("reviews:standard_edit", args=[foreign.uuid])).status_code == 404
    assert "1,100" not in client.get(reverse("reviews:standards")).content.decode()


# ---- API ----------------------------------------------------------------------------------


def test_api_lists_due_reviews_in_scope_with_filters(api, due, far_due, personas):
    rows = api(personas.supervisor).get("/api/v1/reviews/").json()["results"]
    assert [r["enrolment"] for r in rows] == [str(due.uuid)]
    assert rows[0]["overdue"] is True
    assert api(personas.supervisor).get("/api/v1/reviews/?status=due").json()["results"] == []
    community = api(personas.admin).get("/api/v1/reviews/?community=320506002001").json()
    assert [r["enrolment"] for r in community["results"]] == [str(far_due.uuid)]
    assert api(personas.admin).get("/api/v1/reviews/?status=late").status_code == 400


def test_api_records_a_review(api, due, personas):
    body = {"enrolment": str(due.uuid), "outcome": "suspend", "reason": "外出务工"}
    response = api(personas.caseworker).post("/api/v1/reviews/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["enrolment_state"] == "suspended"


def test_api_review_out_of_scope_is_404_and_auditor_403(api, due, personas):
    body = {"enrolment": str(due.uuid), "outcome": "end", "reason": "x"}
    assert api(personas.outsider).post("/api/v1/reviews/", body, format="json").status_code == 404
    assert api(personas.viewer).post("/api/v1/reviews/", body, format="json").status_code == 403
    assert api(personas.viewer).get("/api/v1/reviews/").status_code == 200
    assert not Review.objects.exists()


def test_api_standards(api, standard, personas):
    listed = api(personas.caseworker).get("/api/v1/standards/").json()["results"]
    assert listed[0]["dibao"] == "1195.00" and listed[0]["dibian_line"] == "1792.50"
    body = dict(STANDARD_FORM)
    assert (
        api(personas.caseworker).post("/api/v1/standards/", body, format="json").status_code == 403
    )
    created = api(personas.admin).post("/api/v1/standards/", body, format="json")
    assert created.status_code == 201, created.content
    url = f"/api/v1/standards/{standard.uuid}/"
    patched = api(personas.admin).patch(url, {"dibao": "1200", "version": 1}, format="json")
    assert patched.status_code == 200 and patched.json()["version"] == 2
    stale = api(personas.admin).patch(url, {"dibao": "1210", "version": 1}, format="json")
    assert stale.status_code == 409
    assert api(personas.outsider).patch(url, {"version": 2}, format="json").status_code == 403
