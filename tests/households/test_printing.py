"""A household's file and a visit record as PDF (core/pdf.py, households/printing.py,
cases/printing.py): scoped, logged, masked, and a clear page when PDFs cannot be made."""

from __future__ import annotations

import sys

import pytest
from django.urls import reverse

from core import pdf
from core.models import AccessLog
from tests import factories
from tests.factories import visit as make_visit

FULL_ID = factories.id_number()
PHONE = "13812345678"


@pytest.fixture
def rendered(monkeypatch):
    """The HTML each PDF was made from, while WeasyPrint still makes the PDF."""
    seen: list[str] = []
    real = pdf.html_to_pdf

    def spy(html: str, **kwargs: object) -> bytes:
        seen.append(html)
        return real(html, **kwargs)

    monkeypatch.setattr(pdf, "html_to_pdf", spy)
    return seen


@pytest.fixture
def home(areas, personas):
    household = factories.household(
        area=areas.grid,
        actor=personas.caseworker,
        address="狮林寺巷8号",
        phone=PHONE,
        head={"name": "王建国", "id_number": FULL_ID},
    )
    factories.member(household=household, actor=personas.caseworker, name="王小明")
    return household


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_household_pdf_is_a_pdf_of_the_household_with_masked_numbers(
    client, personas, home, rendered
):
    response = _get(client, personas.caseworker, reverse("households:pdf", args=[home.uuid]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF") and len(response.content) > 5000
    [html] = rendered
    assert "王建国" in html and "王小明" in html and "狮林寺巷8号" in html
    assert FULL_ID not in html
    assert FULL_ID[:4] + "*" * 10 + FULL_ID[-4:] in html
    # the letterhead: district / street / community (/ grid), and who printed it
    assert "姑苏区 / 平江街道 / 狮林社区 / 狮林一网格" in html
    assert "caseworker" in html
    assert PHONE in html


def test_household_pdf_is_access_logged(client, personas, home, rendered):
    _get(client, personas.caseworker, reverse("households:pdf", args=[home.uuid]))

    entry = AccessLog.objects.get(action=AccessLog.Action.PRINT_HOUSEHOLD)
    assert entry.actor == personas.caseworker
    assert entry.household_id == home.pk
    assert entry.area_code == home.area_code
    assert entry.detail == {"format": "pdf"}


def test_household_pdf_masks_the_phone_for_an_auditor(client, personas, home, rendered):
    response = _get(client, personas.viewer, reverse("households:pdf", args=[home.uuid]))

    assert response.status_code == 200
    [html] = rendered
    assert PHONE not in html
    assert "138****5678" in html


def test_household_pdf_out_of_scope_is_404_and_not_rendered(client, personas, home, rendered):
    response = _get(client, personas.outsider, reverse("households:pdf", args=[home.uuid]))

    assert response.status_code == 404
    assert rendered == []
    assert not AccessLog.objects.filter(action=AccessLog.Action.PRINT_HOUSEHOLD).exists()


def test_household_pdf_needs_a_login(client, home):
    response = client.get(reverse("households:pdf", args=[home.uuid]))
    assert response.status_code == 302


def test_visit_pdf_carries_the_visit(client, personas, home, rendered):
    visit = make_visit(
        household=home,
        actor=personas.caseworker,
        findings={"health": ("concern", "户主高血压，近来头晕")},
        needs_noted="需要陪同就医一次",
    )

    response = _get(client, personas.caseworker, reverse("cases:visit_pdf", args=[visit.uuid]))

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    [html] = rendered
    assert "王建国" in html and "户主高血压，近来头晕" in html and "需要陪同就医一次" in html
    assert "入户" in html and str(personas.caseworker) in html
    entry = AccessLog.objects.get(action=AccessLog.Action.PRINT_VISIT)
    assert entry.household_id == home.pk and entry.object_id == visit.pk


def test_visit_pdf_out_of_scope_is_404(client, personas, home, rendered):
    visit = make_visit(household=home, actor=personas.caseworker)

    response = _get(client, personas.outsider, reverse("cases:visit_pdf", args=[visit.uuid]))

    assert response.status_code == 404
    assert rendered == []


def test_without_weasyprint_the_pdf_link_answers_a_clear_503(client, personas, home, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` now fails

    response = _get(client, personas.caseworker, reverse("households:pdf", args=[home.uuid]))

    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert "暂时无法生成PDF" in response.text
    assert reverse("households:detail", args=[home.uuid]) in response.text


def test_pages_offer_print_and_pdf_with_a_print_stylesheet(client, personas, home):
    visit = make_visit(household=home, actor=personas.caseworker)
    client.force_login(personas.caseworker)
    for page, pdf_url in [
        (
            reverse("households:detail", args=[home.uuid]),
            reverse("households:pdf", args=[home.uuid]),
        ),
        (
            reverse("cases:visit_detail", args=[visit.uuid]),
            reverse("cases:visit_pdf", args=[visit.uuid]),
        ),
    ]:
        text = client.get(page).text
        assert f'href="{pdf_url}"' in text
        assert 'href="/static/css/print.css" media="print"' in text
        assert "data-print" in text
