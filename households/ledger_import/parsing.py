"""Each row on its own: identity numbers, choices, numbers and dates (no database)."""

from __future__ import annotations

import datetime as dt
from contextvars import ContextVar
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.ledgers.importing import Cell, Row
from households import idnumber
from households.ledger_import.columns import PersonRow, lookup_tables
from households.models import Category, Member

if TYPE_CHECKING:
    from collections.abc import Iterable


_TODAY: ContextVar[dt.date | None] = ContextVar("ledger_import_today", default=None)


def _parse_row(number: int, cells: Row, tables: dict[str, dict[str, Any]]) -> PersonRow:
    text = {key: cell.text for key, cell in cells.items()}
    row = PersonRow(number=number, name=text.get("name", "")[:50])
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
    _enrolment_fields(row, text, tables)
    row.parse_errors = tuple(row.errors)
    return row


def _id(row: PersonRow, cell: Cell | None, label: str, *, keep: bool = False) -> tuple[str, str]:
    raw = cell.text if cell else ""
    if not raw:
        row.fail(_("%(label)s不能为空。") % {"label": label})
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


def _date(row: PersonRow, text: dict, key: str, tables: dict) -> dt.date | None:
    value = text.get(key, "")
    if value == "":
        return None
    try:
        return dt.date.fromisoformat(value.replace("/", "-").replace(".", "-")[:10])
    except ValueError:
        label = tables["labels"][key]
        row.fail(
            _("%(label)s“%(v)s”不是有效日期（如 2026-01-01）。") % {"label": label, "v": value}
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


def _enrolment_fields(row: PersonRow, text: dict, tables: dict) -> None:
    row.category = _choice(row, text, "category", tables, "")
    row.start_date = _date(row, text, "start_date", tables)
    row.end_date = _date(row, text, "end_date", tables)
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
