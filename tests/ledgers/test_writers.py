"""The streaming writers and the COPY reader: escaping, empty cells, sheets of 1,000,000."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from python_calamine import CalamineWorkbook

from core.ledgers import exports, source, xlsx
from core.ledgers.definitions import Kind
from households import services
from tests import factories

pytestmark = pytest.mark.django_db

COLUMNS = [
    xlsx.XlsxColumn("文本"),
    xlsx.XlsxColumn("数字", Kind.NUMBER),
    xlsx.XlsxColumn("日期", Kind.DATE),
]


def _book(rows, **kwargs) -> CalamineWorkbook:
    out = io.BytesIO()
    writer = xlsx.XlsxWriter(
        out,
        columns=COLUMNS,
        sheet_title="台账",
        banner="导出人：测试",
        author="测试",
        created=dt.datetime(2026, 1, 31, tzinfo=dt.UTC),
    )
    writer.write_rows(rows)
    writer.close()
    return CalamineWorkbook.from_filelike(io.BytesIO(out.getvalue()))


def test_values_are_escaped_and_empty_cells_stay_empty():
    rows = [
        ["A&B <c> {x}", "12.50", "2026-01-31"],
        [" 前后空格 ", None, None],
        ["控制\x07字符", "", ""],
        [None, "3", "2026-02-01"],
    ]
    data = _book(rows).get_sheet_by_index(0).to_python()
    assert data[0][0] == "导出人：测试"
    assert data[1] == ["文本", "数字", "日期"]
    assert data[2] == ["A&B <c> {x}", 12.5, dt.date(2026, 1, 31)]
    assert data[3][0] == " 前后空格 " and data[3][1:] == ["", ""]
    assert data[4][0] == "控制字符"
    assert data[5][1:] == [3.0, dt.date(2026, 2, 1)]


def test_sheets_split_at_the_limit(monkeypatch):
    monkeypatch.setattr(xlsx, "SHEET_ROWS", 3)
    book = _book([[f"行{i}", str(i), None] for i in range(7)])
    assert book.sheet_names == ["台账", "台账2", "台账3"]
    assert [len(book.get_sheet_by_index(i).to_python()) - 2 for i in range(3)] == [3, 3, 1]
    assert book.get_sheet_by_index(1).to_python()[2][0] == "行3"


def test_copy_text_rows_keep_tabs_newlines_and_backslashes(areas, personas):
    home = factories.household(area=areas.community, actor=personas.caseworker)
    services.household_update(
        actor=personas.caseworker, household=home, data={"address": "甲\t乙\n丙\\丁"}
    )
    req = exports.export_request_build(
        actor=personas.caseworker, ledger_name="households", fmt="xlsx"
    )
    row_query = req.ledger.row_query(actor=personas.caseworker)
    with source.copy_rows(row_query, len(req.ledger.columns)) as rows:
        (row,) = list(rows)
    assert row[2] == "甲\t乙\n丙\\丁"
    assert row[9] is None or row[9] == ""  # 风险分层 is empty text, worker NULL
    assert row[10] is None
