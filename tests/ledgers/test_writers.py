"""The streaming writers and the COPY reader: escaping, empty cells, sheets of 1,000,000."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from python_calamine import CalamineWorkbook

from households import services
from ledgers import exports, source, xlsx
from ledgers.definitions import Kind
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
    # Registered by the system: a worker registering becomes the household's worker, and
    # this row must carry a NULL through COPY.
    home = factories.household(area=areas.community, actor=None)
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


# ---- the COPY path: PostgreSQL shapes the values, the writer splices bytes ----------------

_NASTY = [
    ("A&B <c> ]]> {x} %s", "12.50", "2026-01-31"),
    (" 前后空格 ", None, None),
    ("控制\x07字符\x1f", None, None),
    ("甲\t乙\n丙\\丁\\n\r", "-3", "1900-03-01"),
    (None, "0", "2026-02-01"),
    ("\\N", None, "2026-02-01"),
    ("\ufffe末尾\uffff", "7", None),
]
_EXPECTED = [
    "A&B <c> ]]> {x} %s",
    " 前后空格 ",
    "控制字符",
    "甲\t乙\n丙\\丁\\n\r",
    "",
    "\\N",
    "末尾",
]


def _copied_book(rows, *, cipher_column=None, decrypt=None) -> bytes:
    """Rows through PostgreSQL exactly as an export sends them (copy_select, COPY, splice)."""
    from django.db import connection

    values = ", ".join(["(%s, %s::numeric, %s::date)"] * len(rows))
    params = [v for row in rows for v in row]
    kinds = [c.kind for c in COLUMNS]
    out = io.BytesIO()
    writer = xlsx.XlsxWriter(
        out,
        columns=COLUMNS,
        sheet_title="台账",
        banner="导出人：测试",
        author="测试",
        created=dt.datetime(2026, 1, 31, tzinfo=dt.UTC),
    )
    with connection.cursor() as cursor:
        sql = cursor.mogrify(f"SELECT * FROM (VALUES {values}) v", params)  # noqa: S608
        select = xlsx.copy_select(sql, kinds)
        with cursor.cursor.copy(f"COPY ({select}) TO STDOUT") as copy:
            writer.write_copied(copy, cipher_column=cipher_column, decrypt=decrypt)
    writer.close()
    return out.getvalue()


def test_copied_rows_read_back_the_same_in_calamine_and_openpyxl():
    import openpyxl

    content = _copied_book(_NASTY)
    data = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert data[0][0] == "导出人：测试"
    assert data[1] == ["文本", "数字", "日期"]
    assert [row[0] for row in data[2:]] == _EXPECTED
    assert data[2][1:] == [12.5, dt.date(2026, 1, 31)]
    assert data[3][1:] == ["", ""] and data[4][1:] == ["", ""]
    assert data[5][1:] == [-3.0, dt.date(1900, 3, 1)]
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    cells = list(sheet.iter_rows(values_only=True))
    assert [row[0] or "" for row in cells[2:]] == _EXPECTED
    assert cells[2][1] == 12.5 and cells[2][2].date() == dt.date(2026, 1, 31)
    assert cells[3][1:] == (None, None)


def test_copied_rows_split_into_sheets_at_the_limit(monkeypatch):
    monkeypatch.setattr(xlsx, "SHEET_ROWS", 3)
    monkeypatch.setattr(xlsx, "COPY_BLOCK", 2)
    content = _copied_book([(f"行{i}", str(i), None) for i in range(7)])
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert book.sheet_names == ["台账", "台账2", "台账3"]
    sheets = [book.get_sheet_by_index(i).to_python() for i in range(3)]
    assert [len(sheet) - 2 for sheet in sheets] == [3, 3, 1]
    assert [row[0] for sheet in sheets for row in sheet[2:]] == [f"行{i}" for i in range(7)]
    assert sheets[1][1] == ["文本", "数字", "日期"]  # every sheet has its header


def test_copied_rows_exactly_filling_a_sheet_make_no_empty_sheet(monkeypatch):
    monkeypatch.setattr(xlsx, "SHEET_ROWS", 3)
    content = _copied_book([(f"行{i}", str(i), None) for i in range(3)])
    assert CalamineWorkbook.from_filelike(io.BytesIO(content)).sheet_names == ["台账"]


def test_copied_rows_decrypt_the_cipher_column():
    content = _copied_book(
        [("6869", "1", None), ("", "2", None)],
        cipher_column=0,
        decrypt=lambda cipher: bytes.fromhex(cipher).decode(),
    )
    data = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert [row[0] for row in data[2:]] == ["hi", ""]


class _RawQuery:
    """Just enough of a queryset for ledgers.source: fixed SQL on the default database."""

    db = "default"

    def __init__(self, sql: str) -> None:
        self.query = self
        self.sql = sql

    def get_compiler(self, using: str) -> _RawQuery:
        return self

    def as_sql(self) -> tuple[str, tuple]:
        return self.sql, ()


def _copy_all(sql: str, *, give_up_at: int | None = None) -> None:
    from ledgers.definitions import RowQuery

    with source.copy_csv(RowQuery(_RawQuery(sql))) as chunks:
        for n, _chunk in enumerate(chunks):
            if n == give_up_at:
                raise RuntimeError("the reader gave up")


def test_a_copy_failing_on_the_server_raises_and_the_connection_stays_usable():
    import psycopg
    from django.db import connection, transaction

    with pytest.raises(psycopg.errors.DivisionByZero), transaction.atomic():
        _copy_all("SELECT 1 / (3 - g) FROM generate_series(1, 5) g")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_a_copy_abandoned_half_way_is_cancelled_and_the_connection_stays_usable():
    from django.db import connection, transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        _copy_all("SELECT g FROM generate_series(1, 10000000) g", give_up_at=10)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 2")
        assert cursor.fetchone() == (2,)
