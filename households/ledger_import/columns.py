"""The household and member ledger's columns for import, and what validating a file makes:
one PersonRow per row, and the Plan of what a commit would write."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from core.masking import mask_id_numbers
from households.models import Area, Category, Member
from ledgers.importing import ImportColumn, in_every_language

if TYPE_CHECKING:
    pass


LEDGER = "households"
MAX_REPORTED_ERRORS = 2000
BATCH = 2000

COLUMNS = [
    ImportColumn(
        "area_code",
        _("区划代码"),
        True,
        _("家庭所在社区或网格的区划代码（12或15位）"),
        "320506001001",
    ),
    ImportColumn("address", _("家庭住址"), True, _("同一户各行应一致"), "狮林寺巷8号"),
    ImportColumn("household_phone", _("家庭电话"), False, _("可空"), ""),
    ImportColumn(
        "head_id_number",
        _("户主身份证号"),
        True,
        _("同一户各行相同；用于把成员归入家庭"),
        "320506196005170031",
    ),
    ImportColumn("name", _("姓名"), True, _("本行人员姓名"), "王建国"),
    ImportColumn(
        "id_number",
        _("身份证号"),
        True,
        _("18位，末位校验码；请把该列设为文本格式"),
        "320506196005170031",
    ),
    ImportColumn(
        "relation",
        _("与户主关系"),
        True,
        _("户主、配偶、子女、父母、孙子女、祖父母、兄弟姐妹、其他"),
        "户主",
    ),
    ImportColumn("phone", _("联系电话"), False, _("可空"), ""),
    ImportColumn(
        "disability_type",
        _("残疾类别"),
        False,
        _("肢体、视力、智力、精神、听力、言语、多重；无残疾留空"),
        "",
    ),
    ImportColumn(
        "disability_grade", _("残疾等级"), False, _("一级至四级（或1-4）；与残疾类别同时填写"), ""
    ),
    ImportColumn("health", _("健康状况"), False, _("健康、慢性病、重病/大病；空为健康"), "健康"),
    ImportColumn(
        "labour_capacity",
        _("劳动能力"),
        False,
        _("有劳动能力、部分丧失劳动能力、无劳动能力；空为有"),
        "",
    ),
    ImportColumn("monthly_income", _("月收入（元）"), False, _("数字，空为0"), "0"),
    ImportColumn(
        "category",
        _("救助类别"),
        False,
        _("低保、低边、特困、支出型、临时救助；特困填在本人一行，其余按户"),
        "低保",
    ),
    ImportColumn(
        "start_date",
        _("救助起始日期"),
        False,
        _("填写救助类别时必填，如 2026-01-01"),
        "2026-01-01",
    ),
    ImportColumn("end_date", _("救助终止日期"), False, _("临时救助必填"), ""),
    ImportColumn("monthly_amount", _("月救助金额（元）"), False, _("数字，空为0"), "850"),
]

ROW_NEW, ROW_EXISTS, ROW_ERROR = "new", "exists", "error"


def _choices(choices: Any, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Each choice by its label in every language (a ledger in Chinese imports under an
    English UI, and the other way round) and by its code."""
    table = {name: value for value, label in choices for name in in_every_language(label)}
    table.update({str(value): value for value, _label in choices if value != ""})
    table.update(extra or {})
    return table


def lookup_tables() -> dict[str, dict[str, Any]]:
    """Choice labels → codes, and the column labels messages use (translated once)."""
    return {
        "labels": {c.key: str(c.header) for c in COLUMNS},
        "relation": _choices(Member.Relation.choices),
        "disability_type": _choices(Member.DisabilityType.choices, {"无": "", "无残疾": ""}),
        "disability_grade": _choices(Member.DisabilityGrade.choices),
        "health": _choices(Member.Health.choices, {"重病": "serious", "大病": "serious"}),
        "labour_capacity": _choices(Member.LabourCapacity.choices),
        "category": _choices(Category.Code.choices, {"临时": "linshi", "支出型困难家庭": "zhichu"}),
    }


@dataclass(slots=True)
class PersonRow:
    number: int
    name: str
    id_number: str = ""
    head_id_number: str = ""
    digest: str = ""
    head_digest: str = ""
    area_code: str = ""
    address: str = ""
    household_phone: str = ""
    member: dict[str, Any] = field(default_factory=dict)
    category: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    monthly_amount: Decimal = Decimal("0")
    status: str = ROW_NEW
    errors: list[str] = field(default_factory=list)
    birth_date: dt.date | None = None
    sex: str = ""
    masked: str = ""
    parse_errors: tuple[str, ...] = ()

    def fail(self, message: str) -> None:
        """Record an error; a number quoted from a cell is masked, as the report is stored
        and shown to people who may not see full numbers."""
        self.status = ROW_ERROR
        self.errors.append(mask_id_numbers(message))

    def reset(self) -> None:
        """Back to what parsing the row found, before the checks across rows and the DB."""
        self.errors = list(self.parse_errors)
        self.status = ROW_ERROR if self.errors else ROW_NEW


@dataclass
class Plan:
    """The validated file: rows with their status, and what a commit would write."""

    rows: list[PersonRow]
    new_households: dict[str, list[PersonRow]]  # head digest → rows (head first)
    new_members: dict[int, list[PersonRow]]  # existing household id → rows
    areas: dict[str, Area]
    file_errors: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        total = len(self.rows)
        errors = sum(1 for r in self.rows if r.status == ROW_ERROR)
        exists = sum(1 for r in self.rows if r.status == ROW_EXISTS)
        return {
            "total": total,
            "valid": total - errors - exists,
            "exists": exists,
            "errors": errors,
            "households": len(self.new_households),
        }
