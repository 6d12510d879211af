"""Ledger pages and the import API: index, template, upload → report → confirm, scope."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from households.ledger_import import ledger_template_csv
from households.models import Household
from ledgers.models import ImportBatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_index_lists_every_ledger_with_its_columns(client, personas):
    client.force_login(personas.supervisor)
    response = client.get(reverse("ledgers:index"), {"area": "320506001001", "bogus": "x"})
    html = response.content.decode()
    assert response.status_code == 200
    for title in ("家庭台账", "家庭成员台账", "救助对象台账", "走访台账", "需求台账", "转介台账"):
        assert title in html
    assert 'name="area" value="320506001001"' in html
    assert 'name="bogus"' not in html
    assert "full_id_numbers" not in html


def test_filters_read_in_words_not_codes(client, personas):
    """A drill-down's filters name the area and the category, not area=…&enrolled=dibao."""
    client.force_login(personas.supervisor)
    query = {"area": "320506001001", "enrolled": "dibao"}
    for url in (reverse("ledgers:rows", args=["members"]), reverse("ledgers:index")):
        html = client.get(url, query).content.decode()
        assert "区划 狮林社区" in html, url
        assert "享受救助 低保" in html, url
        assert "area=320506001001" not in html and "enrolled=dibao" not in html, url
    html = client.get(
        reverse("ledgers:rows", args=["followups"]), {"overdue": "true", "assignee": "me"}
    ).content.decode()
    assert "已逾期 是" in html and ">已逾期 true<" not in html and "表示" not in html
    assert "负责社工 本人" in html


def test_index_is_refused_to_providers(client, personas):
    client.force_login(personas.provider)
    assert client.get(reverse("ledgers:index")).status_code == 403


def test_import_page_is_refused_to_those_who_may_not_import(client, personas):
    """An auditor reads ledgers but changes nothing: no import link, and the import page
    answers 403 before a file is chosen (the upload was refused only once sent)."""
    client.force_login(personas.viewer)
    assert reverse("ledgers:import") not in client.get(reverse("ledgers:index")).content.decode()
    assert client.get(reverse("ledgers:import")).status_code == 403
    client.force_login(personas.supervisor)
    assert reverse("ledgers:import") in client.get(reverse("ledgers:index")).content.decode()
    assert client.get(reverse("ledgers:import")).status_code == 200


def test_template_documents_the_columns(client, personas):
    client.force_login(personas.caseworker)
    response = client.get(reverse("ledgers:import_template", args=["xlsx"]))
    assert response.status_code == 200
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert workbook.sheet_names == ["家庭和成员台账", "填写说明"]
    notes = workbook.get_sheet_by_name("填写说明").to_python()
    assert notes[2][0] == "区划代码" and notes[2][1] == "是"
    assert client.get(reverse("ledgers:import_template", args=["pdf"])).status_code == 404


def test_upload_report_then_confirm(client, media, personas, areas):
    client.force_login(personas.admin)
    upload = SimpleUploadedFile("ledger.csv", ledger_template_csv(), content_type="text/csv")
    response = client.post(reverse("ledgers:import"), {"file": upload})
    batch = ImportBatch.objects.get()
    assert response.url == reverse("ledgers:import_report", args=[batch.uuid])
    report = client.get(response.url).content.decode()
    assert "确认导入 3 行" in report
    assert not Household.objects.exists()
    confirm = reverse("ledgers:import_confirm", args=[batch.uuid])
    assert client.get(confirm).status_code == 405
    client.post(confirm)
    assert Household.objects.count() == 2
    again = client.post(confirm)
    assert again.status_code == 302
    assert Household.objects.count() == 2
    client.force_login(personas.supervisor)
    assert client.get(reverse("ledgers:import_report", args=[batch.uuid])).status_code == 404


def test_upload_of_another_format_is_refused(client, media, personas):
    client.force_login(personas.admin)
    upload = SimpleUploadedFile("ledger.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = client.post(reverse("ledgers:import"), {"file": upload})
    assert response.status_code == 400
    assert "只支持 XLSX 或 CSV 文件" in response.content.decode()


def test_import_api(api, media, personas):
    client = api(personas.admin)
    upload = SimpleUploadedFile("ledger.csv", ledger_template_csv(), content_type="text/csv")
    response = client.post("/api/v1/ledgers/imports/", {"file": upload}, format="multipart")
    assert response.status_code == 201
    body = response.json()
    assert body["report"]["counts"]["valid"] == 3
    assert (
        api(personas.outsider).post(f"/api/v1/ledgers/imports/{body['id']}/commit/").status_code
        == 404
    )
    committed = client.post(f"/api/v1/ledgers/imports/{body['id']}/commit/")
    assert committed.status_code == 200
    assert committed.json()["created_counts"]["households"] == 2
    refused = api(personas.viewer).post(
        "/api/v1/ledgers/imports/",
        {"file": SimpleUploadedFile("l.csv", ledger_template_csv())},
        format="multipart",
    )
    assert refused.status_code == 403


def test_ledger_list_api(api, personas):
    data = api(personas.caseworker).get("/api/v1/ledgers/").json()
    households = next(item for item in data if item["name"] == "households")
    assert households["supports_as_of"] is True
    assert households["columns"][0] == {
        "key": "area_code",
        "header": "区划代码",
        "help": "社区或网格的统计用区划代码",
    }
