"""Pages of 一门受理 through the client: the window, the steps, scope, the portal, the lookup."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from applications.models import Application
from core.models import AccessLog
from tests.applications.conftest import take

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 200, 10)).save(out, "JPEG")
    return out.getvalue()


def test_take_on_the_form_with_a_photo_and_read_the_document_logged(
    household, personas, window, tmp_path
):
    url = reverse("applications:take", kwargs={"household_id": household.uuid})
    client = _client(personas.caseworker)
    assert client.get(url).status_code == 200
    with override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            "photos": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(tmp_path)},
            },
        }
    ):
        response = client.post(
            url,
            {
                "applicant": household.head.pk,
                "category": "dibao",
                "channel": "visit",
                "phone": "139 1234 5678",
                "reason": "失业",
                "document_kind": "id_card",
                "document": SimpleUploadedFile("id.jpg", _jpeg(), content_type="image/jpeg"),
                "consent_given": "on",
            },
        )
        assert response.status_code == 302
        application = Application.objects.get()
        assert application.channel == "visit"
        document = application.documents.get()
        page = client.get(response["Location"])
        assert application.reference in page.content.decode()
        assert "办理时限" in page.content.decode()
        got = client.get(reverse("applications:document", kwargs={"document_id": document.uuid}))
        assert got.status_code == 200
        assert got["Cache-Control"] == "private, no-store"
        assert AccessLog.objects.filter(action="view_document", object_id=document.pk).exists()
        outsider = _client(personas.outsider)
        doc_url = reverse("applications:document", kwargs={"document_id": document.uuid})
        assert outsider.get(doc_url).status_code == 404


def test_take_without_consent_is_refused_on_the_form(household, personas, window):
    url = reverse("applications:take", kwargs={"household_id": household.uuid})
    response = _client(personas.caseworker).post(
        url,
        {
            "applicant": household.head.pk,
            "category": "dibao",
            "channel": "window",
            "phone": "13900000000",
        },
    )
    assert response.status_code == 400
    assert "核对授权书" in response.content.decode()
    assert not Application.objects.exists()


def test_scope_outsider_404_viewer_403_on_steps(household, personas, window):
    application = take(household, personas.caseworker)
    detail = reverse("applications:detail", kwargs={"application_id": application.uuid})
    accept = reverse("applications:accept", kwargs={"application_id": application.uuid})
    assert _client(personas.outsider).get(detail).status_code == 404
    assert _client(personas.viewer).get(detail).status_code == 200
    assert _client(personas.viewer).post(accept).status_code == 403
    assert _client(personas.caseworker).post(accept).status_code == 403
    assert _client(personas.caseworker).get(accept).status_code == 405
    assert _client(personas.provider).get(detail).status_code == 404  # another provider


def test_the_department_accepts_in_its_portal(household, personas, window):
    application = take(household, personas.caseworker)
    client = _client(window.clerk)
    page = client.get(reverse("applications:portal"))
    assert application.reference in page.content.decode()
    assert "13912345678" not in page.content.decode()
    accept = reverse("applications:accept", kwargs={"application_id": application.uuid})
    response = client.post(accept, {"next": "portal"})
    assert response["Location"] == reverse("applications:portal")
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    assert _client(personas.caseworker).get(reverse("applications:portal")).status_code == 403


def test_the_lookup_shows_the_step_and_dates_only_and_is_limited(household, personas, window):
    application = take(household, personas.caseworker)
    cache.clear()
    client = Client()
    url = reverse("applications:lookup")
    assert client.get(url).status_code == 200
    wrong = client.post(url, {"reference": application.reference, "phone": "13900000000"})
    assert wrong.status_code == 404
    right = client.post(url, {"reference": application.reference.lower(), "phone": "13912345678"})
    text = right.content.decode()
    assert right.status_code == 200
    assert "已接收" in text
    for personal in (household.head.name, household.address, "低保", "13912345678"):
        assert personal not in text
    for _ in range(10):
        client.post(url, {"reference": application.reference, "phone": "1"})
    assert (
        client.post(url, {"reference": application.reference, "phone": "13912345678"}).status_code
        == 429
    )
    cache.clear()


def test_investigation_page_and_notice_and_decision_pdf(household, personas, window, clock):
    clock.set(timezone.localdate())
    application = take(household, personas.caseworker)
    from applications import services

    services.application_accept(actor=window.clerk, application=application)
    url = reverse("applications:investigate", kwargs={"application_id": application.uuid})
    client = _client(personas.caseworker)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "visited_on": timezone.localdate().isoformat(),
            "investigators": [personas.caseworker.pk, window.partner.pk],
            "household_size": 2,
            "monthly_income": "1000",
            "assets": "0",
            "rigid_spending": "",
            "signature": "data:image/png;base64,iVBORw0KGgo=",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    community = household.area.parent
    supervisor = _client(personas.supervisor)
    create = reverse("applications:notice_create", kwargs={"code": community.code})
    assert supervisor.get(create).status_code == 200
    assert client.get(create).status_code == 403
    response = supervisor.post(create, {"applications": [application.pk], "hotline": "0512-1"})
    assert response.status_code == 302
    page = supervisor.get(response["Location"]).content.decode()
    assert "王*国" in page and "王建国" not in page


def test_responsibility_list_is_kept_by_the_district_admin(personas, window):
    row = window.rows["dibao"]
    edit = reverse("applications:responsibility_edit", kwargs={"responsibility_id": row.uuid})
    assert _client(personas.supervisor).get(edit).status_code == 403
    admin = _client(personas.admin)
    assert admin.get(reverse("applications:responsibilities")).status_code == 200
    response = admin.post(
        edit,
        {
            "department": window.bureau.pk,
            "steps": "受理、调查",
            "accept_days": 2,
            "investigate_days": 3,
            "notice_days": 7,
            "total_days": 25,
            "reject_notice_days": 3,
            "investigation_required": "on",
            "notice_required": "on",
            "version": row.version,
        },
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.accept_days, row.total_days) == (2, 25)
    cal = admin.post(
        reverse("applications:calendar"), {"day": "2027-02-08", "is_workday": "0", "note": "春节"}
    )
    assert cal.status_code == 302
    assert (
        _client(personas.supervisor).post(reverse("applications:calendar"), {}).status_code == 403
    )


def test_household_page_lists_applications_and_the_file_prints(household, personas, window):
    from applications import services
    from tests.applications.conftest import investigate

    application = take(household, personas.caseworker)
    services.application_accept(actor=window.clerk, application=application)
    investigate(
        application,
        personas.caseworker,
        window.partner,
        paper_signed=False,
        signature="data:image/png;base64,iVBORw0KGgo=",
    )
    client = _client(personas.caseworker)
    page = client.get(reverse("households:detail", kwargs={"household_id": household.uuid}))
    assert application.reference in page.content.decode()
    url = reverse("applications:household_file", kwargs={"household_id": household.uuid})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert AccessLog.objects.filter(action="print_household", household_id=household.pk).exists()
    assert _client(personas.outsider).get(url).status_code == 404


@pytest.fixture
def replica_is_default():
    """The dashboard reads through the "replica" alias: let it see this test's rows (as
    tests/dashboard/conftest.py does)."""
    from django.db import connections

    original = connections["replica"]
    connections["replica"] = connections["default"]
    yield
    connections["replica"] = original


def test_the_dashboard_shows_the_clock_panel(
    household, personas, window, clock, replica_is_default
):
    clock.set(timezone.localdate() - dt.timedelta(days=30))
    late = take(household, personas.caseworker)
    clock.set(timezone.localdate())
    fresh = take(household, personas.caseworker)
    from applications import dashboard

    panel = dashboard.clock_panel(actor=personas.supervisor, today=timezone.localdate())
    assert panel.overdue == 1
    assert [a.reference for a, _ in panel.rows] == [late.reference]
    assert fresh.accept_due > timezone.localdate()
    outsider = dashboard.clock_panel(actor=personas.outsider, today=timezone.localdate())
    assert outsider.overdue == 0 and not outsider.rows
    page = _client(personas.supervisor).get(reverse("dashboard:casework"))
    assert page.status_code == 200
    assert late.reference in page.content.decode()


def test_the_clock_panel_follows_the_dashboards_chosen_area(
    areas, household, personas, window, clock, replica_is_default
):
    """A street user looking at one community's dashboard sees that community's applications,
    not the whole street's; a role that reads no applications still gets no panel."""
    from types import SimpleNamespace

    from applications import panels
    from tests import factories

    next_door = factories.household(
        area=areas.neighbour, actor=personas.supervisor, address="菉葭巷2号"
    )
    clock.set(timezone.localdate() - dt.timedelta(days=30))
    ours = take(household, personas.caseworker)
    theirs = take(next_door, personas.supervisor)

    def shown(area) -> list[str]:
        panel = panels.clock_panel(
            actor=personas.supervisor, scope=SimpleNamespace(area=area), day=None
        )["application_clock"]
        return [a.reference for a, _ in panel.rows]

    assert set(shown(areas.street)) == {ours.reference, theirs.reference}
    assert shown(areas.neighbour) == [theirs.reference]
    assert shown(areas.community) == [ours.reference]
    # An area outside the actor's scope never widens it.
    assert shown(areas.far) == []
    counted = panels.clock_panel(
        actor=personas.supervisor, scope=SimpleNamespace(area=areas.neighbour), day=None
    )["application_clock"]
    assert counted.overdue == 1
    clerk_panel = panels.clock_panel(
        actor=window.clerk, scope=SimpleNamespace(area=areas.district), day=None
    )
    assert clerk_panel["application_clock"] is None

    page = _client(personas.supervisor).get(
        reverse("dashboard:casework"), {"area": areas.neighbour.code}
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert theirs.reference in text and ours.reference not in text


def test_the_household_file_embeds_photos_and_lists_pdf_scans(
    household, personas, window, tmp_path
):
    """The photos are read from the private storage into the PDF (no public address is
    made for them); a PDF scan stays a line with its kind."""
    from applications import services

    photo = io.BytesIO()
    Image.new("RGB", (53, 41), (10, 10, 200)).save(photo, "JPEG")
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        "photos": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    with override_settings(STORAGES=storages):
        application = take(household, personas.caseworker)
        services.document_add(
            actor=personas.caseworker,
            application=application,
            upload=SimpleUploadedFile("id.jpg", photo.getvalue(), content_type="image/jpeg"),
            kind="id_card",
        )
        services.document_add(
            actor=personas.caseworker,
            application=application,
            upload=SimpleUploadedFile("income.pdf", b"%PDF-1.4\n%%EOF\n"),
            kind="income",
        )
        url = reverse("applications:household_file", kwargs={"household_id": household.uuid})
        response = _client(personas.caseworker).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = response.content
    assert content.count(b"/Subtype /Image") == 1
    assert b"/Width 53" in content and b"/Height 41" in content


def test_the_calendar_page_says_which_years_are_official_and_asks_for_2027(
    personas, window, monkeypatch
):
    """chinese-calendar 1.11 holds the official days up to 2026; 2027 is counted Monday to
    Friday until the district admin enters its days, and the page says so to each reader."""
    from types import SimpleNamespace

    from applications import services
    from applications.views import lists

    real = lists.timezone
    monkeypatch.setattr(
        lists,
        "timezone",
        SimpleNamespace(**{**vars(real), "localdate": lambda: dt.date(2026, 12, 7)}),
    )
    services.calendar_day_set(
        actor=personas.admin, day=dt.date(2027, 2, 8), is_workday=False, note="春节"
    )
    url = reverse("applications:calendar")
    admin = _client(personas.admin).get(url).content.decode()
    assert "收录至 2026 年" in admin
    assert "2026 年：已收录国家节假日安排" in admin
    assert "2027 年：尚未收录国家节假日安排" in admin
    assert "按周一至周五计算" in admin
    assert "请按国务院办公厅公布的安排，在下方逐日登记" in admin
    assert "本区已登记该年 1 天" in admin
    reader = _client(personas.supervisor).get(url).content.decode()
    assert "须由区级管理员" in reader and "在下方逐日登记" not in reader
