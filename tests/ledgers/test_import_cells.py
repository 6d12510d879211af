"""Cells as people's spreadsheets hold them: NUL characters, numbers and dates Excel changed,
and identity numbers quoted in messages (households/ledger_import/parsing.py)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.masking import mask_id_numbers
from households import idnumber
from households.ledger_import import (
    COLUMNS,
    ledger_import_commit,
    ledger_import_validate,
    template_rows,
)
from households.models import Enrolment, Member
from ledgers.models import ImportBatch

pytestmark = pytest.mark.django_db

HEADERS = [str(c.header) for c in COLUMNS]
KEYS = [c.key for c in COLUMNS]
HEAD = idnumber.compose("320506", dt.date(1970, 1, 1), 11)
PERSON = {"area_code": "320506001001", "address": "平江路1号", "relation": "户主"}


def _row(**values: object) -> list[object]:
    base: dict[str, object] = dict.fromkeys(KEYS, "")
    base.update(values)
    return [base[k] for k in KEYS]


def _csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    """A workbook as Excel saves one: typed cells, dates as date cells."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def _validate(actor, path: Path) -> ImportBatch:
    return ledger_import_validate(actor=actor, source=path, original_name=path.name)


def _errors(batch: ImportBatch) -> dict[int, str]:
    return {e["row"]: " ".join(e["messages"]) for e in batch.report["errors"]}


# ---- NUL ----------------------------------------------------------------------------------


def test_a_nul_cell_is_a_row_error_and_the_batch_commits_without_that_row(media, personas):
    rows = [*template_rows()]
    rows[2] = [*rows[2]]
    rows[2][4] = "李\x00桂兰"  # 姓名
    batch = _validate(personas.admin, _csv(media / "nul.csv", rows))
    errors = _errors(batch)
    assert list(errors) == [4]
    assert "姓名含有空字符（NUL）" in errors[4]
    assert batch.report["counts"]["valid"] == 2
    committed = ledger_import_commit(actor=personas.admin, batch=batch)
    assert committed.status == ImportBatch.Status.COMMITTED
    assert committed.created_counts["members"] == 2
    assert sorted(Member.objects.values_list("name", flat=True)) == ["张秀英", "王建国"]


# ---- identity numbers in messages -------------------------------------------------------


def test_identity_numbers_quoted_from_cells_are_masked_in_the_stored_report_and_the_api(
    api, media, personas
):
    quoted = "32050619660606121X"
    rows = [
        _row(**{**PERSON, "relation": quoted}, head_id_number=HEAD, name="甲", id_number=HEAD),
        _row(**PERSON, head_id_number=HEAD, name=f"乙{quoted}", id_number="320506"),
        _row(**{**PERSON, "area_code": "320506199001011234"}, head_id_number=HEAD, name="丙",
             id_number=idnumber.compose("320506", dt.date(1990, 1, 1), 13)),
    ]  # fmt: skip
    content = _csv(media / "quoted.csv", rows).read_bytes()
    response = api(personas.admin).post(
        "/api/v1/ledgers/imports/",
        {"file": SimpleUploadedFile(f"{quoted}.csv", content)},
        format="multipart",
    )
    assert response.status_code == 201
    body = response.content.decode()
    stored = ImportBatch.objects.get()
    for text in (body, str(stored.report), stored.original_name):
        assert quoted not in text
        assert "320506199001011234" not in text
    assert "与户主关系“3205**********121X”无法识别" in body
    assert "乙3205**********121X" in body
    assert stored.original_name == "3205**********121X.csv"


def test_mask_id_numbers_masks_only_identity_number_shapes():
    assert mask_id_numbers("号码320506196005170031，") == "号码3205**********0031，"
    assert mask_id_numbers("32050619600517003x") == "3205**********003x"
    assert mask_id_numbers("旧号320506600517003") == "旧号3205*******7003"
    assert mask_id_numbers("第12行 区划320506001001 电话13812345678") == (
        "第12行 区划320506001001 电话13812345678"
    )
    assert mask_id_numbers("3205061960051700312") == "3205061960051700312"


# ---- what Excel does to identity numbers and dates --------------------------------------


@pytest.mark.parametrize("typed", ["3.20502E+17", "3.20506196E+17", "3.2E17"])
def test_an_identity_number_excel_turned_into_scientific_notation_says_how_to_fix_it(
    media, personas, typed
):
    rows = [_row(**PERSON, head_id_number=HEAD, name="甲", id_number=typed)]
    message = _errors(_validate(personas.admin, _csv(media / "sci.csv", rows)))[2]
    assert f"身份证号已被 Excel 改成了数字（{typed}）" in message
    assert "设为“文本”格式" in message and "XLSX 导入模板" in message


def test_an_identity_number_in_a_number_cell_says_excel_changed_it(media, personas):
    rows = [_row(**PERSON, head_id_number=HEAD, name="甲", id_number=float(HEAD))]
    message = _errors(_validate(personas.admin, _xlsx(media / "num.xlsx", rows)))[2]
    assert "身份证号已被 Excel 改成了数字" in message and "后几位已经丢失" in message


@pytest.mark.parametrize(
    ("start", "end", "expected_start", "expected_end"),
    [
        ("2026/11/1", "2026/12/31", dt.date(2026, 11, 1), dt.date(2026, 12, 31)),
        ("2026/1/5", "2026/1/25 0:00", dt.date(2026, 1, 5), dt.date(2026, 1, 25)),
        ("2026年1月5日", "2026.2.1", dt.date(2026, 1, 5), dt.date(2026, 2, 1)),
        ("2026-01-05", "2026-02-01 00:00:00", dt.date(2026, 1, 5), dt.date(2026, 2, 1)),
    ],
)
def test_excels_own_date_forms_are_read(media, personas, start, end, expected_start, expected_end):
    rows = [
        _row(**PERSON, head_id_number=HEAD, name="甲", id_number=HEAD, category="临时救助",
             start_date=start, end_date=end, monthly_amount="500"),
    ]  # fmt: skip
    batch = _validate(personas.admin, _csv(media / "dates.csv", rows))
    assert batch.report["counts"]["valid"] == 1, batch.report["errors"]
    ledger_import_commit(actor=personas.admin, batch=batch)
    enrolment = Enrolment.objects.get()
    assert (enrolment.start_date, enrolment.end_date) == (expected_start, expected_end)


def test_date_cells_of_an_xlsx_are_read(media, personas):
    rows = [
        _row(**PERSON, head_id_number=HEAD, name="甲", id_number=HEAD, category="临时救助",
             start_date=dt.datetime(2026, 11, 1),  # noqa: DTZ001 (a cell is naive)
             end_date=dt.date(2026, 12, 31),
             monthly_amount=500),
    ]  # fmt: skip
    batch = _validate(personas.admin, _xlsx(media / "dates.xlsx", rows))
    assert batch.report["counts"]["valid"] == 1, batch.report["errors"]
    ledger_import_commit(actor=personas.admin, batch=batch)
    enrolment = Enrolment.objects.get()
    assert (enrolment.start_date, enrolment.end_date) == (
        dt.date(2026, 11, 1),
        dt.date(2026, 12, 31),
    )


def test_a_date_that_is_no_date_is_still_refused(media, personas):
    rows = [
        _row(**PERSON, head_id_number=HEAD, name="甲", id_number=HEAD, category="低保",
             start_date="2026/13/1"),
    ]  # fmt: skip
    message = _errors(_validate(personas.admin, _csv(media / "bad.csv", rows)))[2]
    assert "救助起始日期“2026/13/1”不是有效日期" in message
