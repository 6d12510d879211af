"""Each row on its own: identity numbers, choices, numbers and dates (no database)."""

from __future__ import annotations

import datetime as dt
import re
from contextvars import ContextVar
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from households import idnumber
from households.ledger_import.columns import PersonRow, lookup_tables
from households.models import Category, Member
from ledgers.importing import Cell, Row

if TYPE_CHECKING:
    from collections.abc import Iterable


_TODAY: ContextVar[dt.date | None] = ContextVar("ledger_import_today", default=None)


def _parse_row(number: int, cells: Row, tables: dict[str, dict[str, Any]]) -> PersonRow:
    row = PersonRow(number=number, name="")
    cells = _without_nul(row, cells, tables["labels"])
    text = {key: cell.text for key, cell in cells.items()}
    row.name = text.get("name", "")[:50]
    if not row.name:
        row.fail(_("姓名不能为空。"))
    labels = tables["labels"]
    row.id_number, row.digest = _id(row, cells.get("id_number"), labels["id_number"], keep=True)
    row.head_id_number, row.head_digest = _id(
        row, cells.get("head_id_number"), labels["head_id_number"]
    )
    row.area_code = text.get("area_code", "")
    row.address = text.get("address", "")[:200]
    row.household_phone = text.get("household_phone", "")[:20]
    if not row.address:
        row.fail(_("家庭住址不能为空。"))
    row.member = _member_fields(row, text, tables)
    _enrolment_fields(row, cells, tables)
    row.parse_errors = tuple(row.errors)
    return row


def _without_nul(row: PersonRow, cells: Row, labels: dict[str, str]) -> Row:
    """A NUL character cannot be stored (PostgreSQL refuses it in text): the row is an
    error, and the cell is read without it so the row's other checks still speak."""
    clean = dict(cells)
    for key, cell in cells.items():
        if "\x00" in cell.text:
            row.fail(
                _("%(label)s含有空字符（NUL），无法保存，请删除该字符后重新导入。")
                % {"label": labels.get(key, key)}
            )
            clean[key] = Cell(cell.text.replace("\x00", ""), cell.numeric)
    return clean


# What Excel shows, and saves to CSV, for an 18-digit number in a General cell: 3.20506E+17.
_SCIENTIFIC = re.compile(r"[0-9](?:\.[0-9]+)?[Ee]\+?[0-9]{1,3}")


def _changed_by_excel(cell: Cell, raw: str) -> bool:
    """An identity number Excel has already turned into a number: in scientific notation,
    or a number cell too long for Excel's 15 significant digits (the rest became zeros)."""
    text = "".join(raw.split())
    if _SCIENTIFIC.fullmatch(text):
        return True
    return cell.numeric and len(text) > 15


def _id(row: PersonRow, cell: Cell | None, label: str, *, keep: bool = False) -> tuple[str, str]:
    raw = cell.text if cell else ""
    if not raw:
        row.fail(_("%(label)s不能为空。") % {"label": label})
        return "", ""
    if cell is not None and _changed_by_excel(cell, raw):
        row.fail(
            _(
                "%(label)s已被 Excel 改成了数字（%(v)s），18位号码的后几位已经丢失，无法识别。"
                "请在 Excel 中把该列设为“文本”格式后重新填写完整号码（或在号码前加英文单引号 '），"
                "再用 XLSX 导入模板保存上传，不要另存为 CSV。"
            )
            % {"label": label, "v": raw}
        )
        return "", ""
    try:
        parsed = idnumber.parse(raw, today=_TODAY.get())
    except ValidationError as error:
        hint = _("（该单元格是数字格式，Excel 会改掉长号码的末几位，请设为文本后重填）")
        message = f"{label}：{error.messages[0]}" + (hint if cell and cell.numeric else "")
        row.fail(message)
        return "", ""
    if keep:
        row.birth_date, row.sex, row.masked = parsed.birth_date, parsed.sex, parsed.masked
    return parsed.number, idnumber.lookup_hash(parsed.number)


def _choice(row: PersonRow, text: dict, key: str, tables: dict, default: Any) -> Any:
    value = text.get(key, "")
    if value == "":
        return default
    if value not in tables[key]:
        label = tables["labels"][key]
        row.fail(_("%(label)s“%(v)s”无法识别。") % {"label": label, "v": value})
        return default
    return tables[key][value]


def _decimal(row: PersonRow, text: dict, key: str, tables: dict) -> Decimal:
    value = text.get(key, "")
    if value == "":
        return Decimal("0")
    try:
        amount = Decimal(value.replace(",", "").replace("，", ""))
    except InvalidOperation:
        label = tables["labels"][key]
        row.fail(_("%(label)s“%(v)s”不是数字。") % {"label": label, "v": value})
        return Decimal("0")
    if amount < 0 or amount >= Decimal("100000000"):
        row.fail(_("%(label)s超出范围。") % {"label": tables["labels"][key]})
        return Decimal("0")
    return amount.quantize(Decimal("0.01"))


# Dates as Excel writes them: 2026-01-01, 2026/1/5, 2026/11/1 0:00, 2026.1.5, 2026年1月5日.
_DATE = re.compile(
    r"([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?"
    r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Excel's serial day numbers of 1950 to 2100: a date cell whose format was lost.
_SERIALS = range(18264, 73051)


def _date(row: PersonRow, cells: Row, key: str, tables: dict) -> dt.date | None:
    cell = cells.get(key)
    value = cell.text if cell else ""
    if value == "":
        return None
    found = _DATE.fullmatch(value)
    try:
        if found:
            return dt.date(*(int(part) for part in found.groups()))
        if cell is not None and cell.numeric and value.isdigit() and int(value) in _SERIALS:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    except ValueError:
        pass
    label = tables["labels"][key]
    row.fail(
        _("%(label)s“%(v)s”不是有效日期（如 2026-01-01 或 2026/1/1）。")
        % {"label": label, "v": value}
    )
    return None


def _member_fields(row: PersonRow, text: dict, tables: dict) -> dict[str, Any]:
    relation = _choice(row, text, "relation", tables, None)
    if not text.get("relation"):
        row.fail(_("与户主关系不能为空。"))
    is_head_row = bool(row.id_number) and row.id_number == row.head_id_number
    if relation is not None and is_head_row != (relation == Member.Relation.HEAD):
        row.fail(_("户主一行的身份证号应与户主身份证号相同，且与户主关系填“户主”。"))
    disability_type = _choice(row, text, "disability_type", tables, "")
    grade = _choice(row, text, "disability_grade", tables, None)
    if bool(disability_type) != (grade is not None):
        row.fail(_("残疾类别和残疾等级需同时填写。"))
    return {
        "relation": relation or Member.Relation.OTHER,
        "phone": text.get("phone", "")[:20],
        "disability_type": disability_type,
        "disability_grade": grade,
        # A blank cell is a fact the ledger does not give: unknown, not the likeliest value.
        "health": _choice(row, text, "health", tables, Member.Health.UNKNOWN),
        "labour_capacity": _choice(
            row, text, "labour_capacity", tables, Member.LabourCapacity.UNKNOWN
        ),
        "monthly_income": _decimal(row, text, "monthly_income", tables),
    }


def _enrolment_fields(row: PersonRow, cells: Row, tables: dict) -> None:
    text = {key: cell.text for key, cell in cells.items()}
    row.category = _choice(row, text, "category", tables, "")
    row.start_date = _date(row, cells, "start_date", tables)
    row.end_date = _date(row, cells, "end_date", tables)
    row.monthly_amount = _decimal(row, text, "monthly_amount", tables)
    if not row.category:
        return
    if row.start_date is None:
        row.fail(_("填写救助类别时须填写救助起始日期。"))
    if row.category == Category.Code.LINSHI and row.end_date is None:
        row.fail(_("临时救助必须填写终止日期。"))
    if row.start_date and row.end_date and row.end_date < row.start_date:
        row.fail(_("救助终止日期不能早于起始日期。"))


def parse(rows: Iterable[tuple[int, Row]]) -> list[PersonRow]:
    """Each row on its own: identity numbers, choices, numbers and dates (no database)."""
    tables = lookup_tables()
    token = _TODAY.set(timezone.localdate())
    try:
        return [_parse_row(number, cells, tables) for number, cells in rows]
    finally:
        _TODAY.reset(token)
