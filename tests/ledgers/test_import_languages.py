"""Ledger import under either language: the headers (and choice labels) of a file in Chinese
or in English are recognised whatever the uploader's language is."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from households.ledger_import import (
    COLUMNS,
    ledger_import_commit,
    ledger_import_validate,
    ledger_template_csv,
    ledger_template_xlsx,
    template_rows,
)
from households.models import Household, Member
from ledgers.models import ImportBatch

pytestmark = pytest.mark.django_db

LANGUAGES = ["zh-hans", "en"]


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def _headers(language: str) -> list[str]:
    with translation.override(language):
        return [str(c.header) for c in COLUMNS]


def _csv(path: Path, headers: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


@pytest.mark.parametrize("ui", LANGUAGES)
@pytest.mark.parametrize("file_language", LANGUAGES)
def test_headers_in_either_language_import_under_either_language(
    media, personas, ui, file_language
):
    path = _csv(media / "ledger.csv", _headers(file_language), template_rows())
    with translation.override(ui):
        batch = ledger_import_validate(actor=personas.admin, source=path, original_name=path.name)
        assert batch.report["file_errors"] == []
        assert batch.report["counts"]["valid"] == 3
        ledger_import_commit(actor=personas.admin, batch=batch)
    assert Household.objects.count() == 2


@pytest.mark.parametrize("download", LANGUAGES)
@pytest.mark.parametrize("upload", LANGUAGES)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_template_downloaded_in_one_language_uploads_in_the_other(
    media, personas, download, upload, fmt
):
    with translation.override(download):
        content = ledger_template_csv() if fmt == "csv" else ledger_template_xlsx()
    path = media / f"template.{fmt}"
    path.write_bytes(content)
    with translation.override(upload):
        batch = ledger_import_validate(actor=personas.admin, source=path, original_name=path.name)
    assert batch.report["counts"]["valid"] == 3, batch.report


def test_english_choice_labels_and_mixed_case_headers_are_accepted(media, personas):
    rows = [list(row) for row in template_rows()]
    with translation.override("en"):
        rows[0][6] = "Head of household"
        rows[1][6] = "Spouse"
        rows[2][13] = "Extreme poverty support"
    headers = [h.upper() for h in _headers("en")]
    path = _csv(media / "english.csv", headers, rows)
    batch = ledger_import_validate(actor=personas.admin, source=path, original_name=path.name)
    assert batch.report["counts"]["valid"] == 3, batch.report
    ledger_import_commit(actor=personas.admin, batch=batch)
    assert Member.objects.get(name="张秀英").relation == Member.Relation.SPOUSE


def test_missing_columns_are_named_in_the_uploaders_language(media, personas):
    headers = _headers("zh-hans")
    keep = [i for i, c in enumerate(COLUMNS) if c.key != "id_number"]
    rows = [[row[i] for i in keep] for row in template_rows()]
    path = _csv(media / "short.csv", [headers[i] for i in keep], rows)
    with translation.override("en"):
        batch = ledger_import_validate(actor=personas.admin, source=path, original_name=path.name)
    assert any("ID number" in message for message in batch.report["file_errors"])


def test_english_ui_upload_page_reports_the_rows(client, media, personas):
    client.force_login(personas.admin)
    content = _csv(media / "ledger.csv", _headers("zh-hans"), template_rows()).read_bytes()
    upload = io.BytesIO(content)
    upload.name = "ledger.csv"
    response = client.post(
        reverse("ledgers:import"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="en", follow=True
    )
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "en"
    batch = ImportBatch.objects.get()
    assert (batch.valid_rows, batch.error_rows) == (3, 0)
    assert Household.objects.count() == 0  # nothing written before the confirmation
