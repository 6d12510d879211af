"""Importing an existing household and member ledger (户籍/低保台账) into the registry.

One row per person; the rows of one household share its head's identity number (户主身份证号).
Nothing is written until the per-row report has been shown and confirmed; then every valid
row goes in, in one transaction, with set-based inserts, or nothing does.

What is checked, per row: each identity number (length, characters, birth date, GB 11643
check digit); duplicates inside the file; numbers already held by an active member in the
registry; the area code (known, a community or grid, inside the importer's scope); the
choice columns; and the category rules of households/services.py (低保 and 低边 never
together; 临时救助 needs an end date; a 特困 person is not counted in the household's 低保).

Uploading the same file again creates nothing twice: a person whose identity number is
already active in the same household (found through its head's number) is reported as
"already registered" and skipped; existing records are never overwritten by an import (they
change through the audited edit pages). A new member of an existing household is added to
it. Enrolments are created only for new households: approved when the importer may decide
enrolments (district admin, or a command run by an operator), pending approval otherwise.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import uuid
from collections import defaultdict
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit
from core.ledgers.bulk import allocate_ids, bulk_history, copy_insert
from core.ledgers.importing import Cell, ImportColumn, Row, in_every_language, read_rows
from core.models import ImportBatch
from households import idnumber
from households.models import Area, Category, Enrolment, Household, Member
from households.roles import Can, can
from households.scope import scope_prefix

if TYPE_CHECKING:
    from collections.abc import Iterable

    from households.models import User

LEDGER = "households"
_TODAY: ContextVar[dt.date | None] = ContextVar("ledger_import_today", default=None)
MAX_REPORTED_ERRORS = 2000
BATCH = 2000

_l = gettext_lazy
COLUMNS = [
    ImportColumn(
        "area_code",
        _l("区划代码"),
        True,
        _l("家庭所在社区或网格的区划代码（12或15位）"),
        "320506001001",
    ),
    ImportColumn("address", _l("家庭住址"), True, _l("同一户各行应一致"), "狮林寺巷8号"),
    ImportColumn("household_phone", _l("家庭电话"), False, _l("可空"), ""),
    ImportColumn(
        "head_id_number",
        _l("户主身份证号"),
        True,
        _l("同一户各行相同；用于把成员归入家庭"),
        "320506196005170031",
    ),
    ImportColumn("name", _l("姓名"), True, _l("本行人员姓名"), "王建国"),
    ImportColumn(
        "id_number",
        _l("身份证号"),
        True,
        _l("18位，末位校验码；请把该列设为文本格式"),
        "320506196005170031",
    ),
    ImportColumn(
        "relation",
        _l("与户主关系"),
        True,
        _l("户主、配偶、子女、父母、孙子女、祖父母、兄弟姐妹、其他"),
        "户主",
    ),
    ImportColumn("phone", _l("联系电话"), False, _l("可空"), ""),
    ImportColumn(
        "disability_type",
        _l("残疾类别"),
        False,
        _l("肢体、视力、智力、精神、听力、言语、多重；无残疾留空"),
        "",
    ),
    ImportColumn(
        "disability_grade", _l("残疾等级"), False, _l("一级至四级（或1-4）；与残疾类别同时填写"), ""
    ),
    ImportColumn("health", _l("健康状况"), False, _l("健康、慢性病、重病/大病；空为健康"), "健康"),
    ImportColumn(
        "labour_capacity",
        _l("劳动能力"),
        False,
        _l("有劳动能力、部分丧失劳动能力、无劳动能力；空为有"),
        "",
    ),
    ImportColumn("monthly_income", _l("月收入（元）"), False, _l("数字，空为0"), "0"),
    ImportColumn(
        "category",
        _l("救助类别"),
        False,
        _l("低保、低边、特困、支出型、临时救助；特困填在本人一行，其余按户"),
        "低保",
    ),
    ImportColumn(
        "start_date",
        _l("救助起始日期"),
        False,
        _l("填写救助类别时必填，如 2026-01-01"),
        "2026-01-01",
    ),
    ImportColumn("end_date", _l("救助终止日期"), False, _l("临时救助必填"), ""),
    ImportColumn("monthly_amount", _l("月救助金额（元）"), False, _l("数字，空为0"), "850"),
]

ROW_NEW, ROW_EXISTS, ROW_ERROR = "new", "exists", "error"


def _choices(choices: Any, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Each choice by its label in every language (a ledger in Chinese imports under an
    English UI, and the other way round) and by its code."""
    table = {name: value for value, label in choices for name in in_every_language(label)}
    table.update({str(value): value for value, _label in choices if value != ""})
    table.update(extra or {})
    return table


def _lookup_tables() -> dict[str, dict[str, Any]]:
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
        self.status = ROW_ERROR
        self.errors.append(message)

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


# ---- parsing one row -------------------------------------------------------------------------


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
        "health": _choice(row, text, "health", tables, Member.Health.HEALTHY),
        "labour_capacity": _choice(
            row, text, "labour_capacity", tables, Member.LabourCapacity.FULL
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


# ---- checks across rows --------------------------------------------------------------------


def _allowed_areas(codes: set[str], actor: User | None, area: Area | None) -> dict[str, Area]:
    """The file's area codes that name a community or grid inside the importer's scope."""
    prefix = scope_prefix(actor) if actor is not None else ""
    if area is not None:
        prefix = area.prefix if prefix is None or area.prefix.startswith(prefix) else None
    if prefix is None:
        return {}
    found = Area.objects.filter(
        code__in=codes,
        level__in=[Area.Level.COMMUNITY, Area.Level.GRID],
        prefix__startswith=prefix,
    )
    return {a.code: a for a in found}


def _existing_members(digests: set[str]) -> dict[str, tuple[int, str]]:
    """Active members holding any of these numbers: digest → (household id, head's digest)."""
    found: dict[str, tuple[int, str]] = {}
    ordered = sorted(digests)
    for start in range(0, len(ordered), 10_000):
        chunk = ordered[start : start + 10_000]
        rows = Member.objects.filter(
            id_number_hash__in=chunk, status=Member.Status.ACTIVE
        ).values_list("id_number_hash", "household_id", "household__head__id_number_hash")
        for digest, household_id, head_digest in rows:
            found[digest] = (household_id, head_digest or "")
    return found


def _live_categories(household_ids: set[int]) -> dict[int, set[str]]:
    live = [Enrolment.Status.APPLIED, Enrolment.Status.APPROVED, Enrolment.Status.SUSPENDED]
    today = timezone.localdate()
    rows = (
        Enrolment.objects.filter(household_id__in=household_ids, status__in=live)
        .exclude(end_date__lt=today)
        .values_list("household_id", "category_id")
    )
    result: dict[int, set[str]] = defaultdict(set)
    for household_id, code in rows:
        result[household_id].add(code)
    return result


def parse(rows: Iterable[tuple[int, Row]]) -> list[PersonRow]:
    """Each row on its own: identity numbers, choices, numbers and dates (no database)."""
    tables = _lookup_tables()
    token = _TODAY.set(timezone.localdate())
    try:
        return [_parse_row(number, cells, tables) for number, cells in rows]
    finally:
        _TODAY.reset(token)


def validate(
    rows: Iterable[tuple[int, Row]] | list[PersonRow],
    *,
    actor: User | None,
    area: Area | None = None,
) -> Plan:
    """Check every row and decide what a commit would write; writes nothing.

    `rows` are the file's rows, or rows parsed before in this process (checked again
    against the file's other rows and the database, which may have changed since).
    """
    if isinstance(rows, list) and rows and isinstance(rows[0], PersonRow):
        people = rows
        for person in people:
            person.reset()
    else:
        people = parse(rows)
    _mark_file_duplicates(people)
    areas = _allowed_areas({p.area_code for p in people}, actor, area)
    for person in people:
        if person.area_code and person.area_code not in areas:
            person.fail(
                _("区划代码“%(c)s”不存在，或不是您管辖范围内的社区/网格。")
                % {"c": person.area_code}
            )
    existing = _existing_members(
        {p.digest for p in people if p.digest} | {p.head_digest for p in people if p.head_digest}
    )
    plan = Plan(rows=people, new_households={}, new_members={}, areas=areas)
    groups: dict[str, list[PersonRow]] = defaultdict(list)
    for person in people:
        if person.head_digest:
            groups[person.head_digest].append(person)
    live = _live_categories({existing[h][0] for h in groups if h in existing})
    for head_digest, group in groups.items():
        _check_household(plan, head_digest, group, existing, live)
    return plan


def _mark_file_duplicates(people: list[PersonRow]) -> None:
    first_row: dict[str, int] = {}
    for person in people:
        if not person.digest:
            continue
        if person.digest in first_row:
            person.fail(_("身份证号与第%(n)d行重复。") % {"n": first_row[person.digest]})
        else:
            first_row[person.digest] = person.number


def _check_household(
    plan: Plan,
    head_digest: str,
    group: list[PersonRow],
    existing: dict[str, tuple[int, str]],
    live: dict[int, set[str]],
) -> None:
    holder = existing.get(head_digest)
    household_id = holder[0] if holder and holder[1] == head_digest else None
    for person in group:
        if person.status == ROW_ERROR or not person.digest or person.digest not in existing:
            continue
        if existing[person.digest][0] == household_id:
            person.status = ROW_EXISTS
        else:
            person.fail(_("该身份证号已登记为其他家庭的在户成员。"))
    if household_id is not None:
        _check_existing_household(plan, household_id, group, live.get(household_id, set()))
        return
    if holder is not None:
        _fail_all(group, _("户主身份证号已登记为其他家庭的成员，不是户主。"))
        return
    _check_new_household(plan, head_digest, group)


def _check_existing_household(
    plan: Plan, household_id: int, group: list[PersonRow], live: set[str]
) -> None:
    wanted = {p.category for p in group if p.category and p.category != Category.Code.TEKUN}
    clash = _clash(wanted | live)
    if clash:
        _fail_all(group, clash)
        return
    new = [p for p in group if p.status == ROW_NEW]
    if new:
        plan.new_members[household_id] = new


def _check_new_household(plan: Plan, head_digest: str, group: list[PersonRow]) -> None:
    heads = [p for p in group if p.digest == head_digest]
    if not heads:
        _fail_all(group, _("本户缺少户主一行（身份证号等于户主身份证号、关系为户主）。"))
        return
    head = heads[0]
    if head.status == ROW_ERROR:
        _fail_all(group, _("户主一行有误，本户未导入。"), skip=head)
        return
    for person in group:
        if person is not head and (person.area_code, person.address) != (
            head.area_code,
            head.address,
        ):
            person.fail(_("区划代码或家庭住址与户主一行不一致。"))
    household_rows = [p for p in group if p.category and p.category != Category.Code.TEKUN]
    clash = _clash({p.category for p in household_rows})
    starts = {(p.category, p.start_date) for p in household_rows}
    if not clash and len(starts) != len({c for c, _d in starts}):
        clash = _("同一户同一救助类别的起始日期不一致。")
    if clash:
        _fail_all(group, clash)
        return
    valid = [p for p in group if p.status == ROW_NEW]
    plan.new_households[head_digest] = [head, *[p for p in valid if p is not head]]


def _clash(codes: set[str]) -> str:
    if {Category.Code.DIBAO, Category.Code.DIBIAN} <= codes:
        return _("同一家庭不能同时享受低保和低边。")
    return ""


def _fail_all(group: list[PersonRow], message: str, skip: PersonRow | None = None) -> None:
    for person in group:
        if person is not skip and person.status != ROW_EXISTS:
            person.fail(message)


# ---- the report ------------------------------------------------------------------------------


def report_of(plan: Plan) -> dict[str, Any]:
    """What the report page shows: counts and the rows with errors (numbers masked)."""
    errors = [
        {"row": p.number, "name": p.name, "id_number": p.masked or "", "messages": p.errors}
        for p in plan.rows
        if p.status == ROW_ERROR
    ]
    existing = [p.number for p in plan.rows if p.status == ROW_EXISTS]
    return {
        "counts": plan.counts,
        "errors": errors[:MAX_REPORTED_ERRORS],
        "errors_truncated": max(0, len(errors) - MAX_REPORTED_ERRORS),
        "existing_rows": existing[:200],
        "file_errors": plan.file_errors,
    }


# ---- services ------------------------------------------------------------------------------


def import_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _require_import(actor: User | None) -> None:
    if actor is not None and not (can(actor, Can.EDIT_REGISTRY) and scope_prefix(actor)):
        raise PermissionDenied


def _plan_for(
    path: Path, *, actor: User | None, area: Area | None, parsed: list[PersonRow] | None = None
) -> Plan:
    if parsed:
        return validate(parsed, actor=actor, area=area)
    try:
        return validate(read_rows(path, COLUMNS), actor=actor, area=area)
    except ValidationError as error:
        return Plan(
            rows=[], new_households={}, new_members={}, areas={}, file_errors=error.messages
        )


def ledger_import_validate(
    *, actor: User | None, source: Path, original_name: str, area: Area | None = None
) -> ImportBatch:
    """Keep the uploaded file and its per-row report; nothing enters the registry yet."""
    _require_import(actor)
    suffix = Path(original_name).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ValidationError({"file": _("只支持 XLSX 或 CSV 文件。")})
    root = import_root()
    root.mkdir(parents=True, exist_ok=True)
    stored = f"{uuid.uuid4()}{suffix}"
    shutil.copyfile(source, root / stored)
    plan = _plan_for(root / stored, actor=actor, area=area)
    counts = plan.counts
    batch = ImportBatch.objects.create(
        actor=actor,
        ledger=LEDGER,
        original_name=original_name[:200],
        file_name=stored,
        sha256=hashlib.sha256((root / stored).read_bytes()).hexdigest(),
        area_code=area.code if area else "",
        total_rows=counts["total"],
        valid_rows=counts["valid"],
        existing_rows=counts["exists"],
        error_rows=counts["errors"] + (1 if plan.file_errors else 0),
        report=report_of(plan),
    )
    # Kept on this object only: a commit in the same process (the command) skips re-parsing.
    batch.parsed_rows = plan.rows
    return batch


@transaction.atomic
def ledger_import_commit(*, actor: User | None, batch: ImportBatch) -> ImportBatch:
    """Write the batch's valid rows, all together or not at all, and one audit event.

    The file is checked again inside the transaction, so rows that became duplicates since
    the report (another import, a registration) are skipped or refused, never doubled.
    """
    _require_import(actor)
    parsed = getattr(batch, "parsed_rows", None)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.VALIDATED:
        raise ValidationError(_("该批次已处理，不能重复导入。"))
    area = Area.objects.filter(code=batch.area_code).first() if batch.area_code else None
    path = import_root() / batch.file_name
    if not path.exists():
        raise ValidationError(_("上传的文件已过期删除，请重新上传。"))
    plan = _plan_for(path, actor=actor, area=area, parsed=parsed)
    if plan.file_errors:
        raise ValidationError(plan.file_errors)
    # Every history row the import writes names the batch (and see bulk_history for speed).
    with bulk_history(ledger_import=str(batch.uuid), user=actor.pk if actor else None):
        created = _write(plan, actor=actor)
    counts = plan.counts
    batch.status = ImportBatch.Status.COMMITTED
    batch.committed_at = timezone.now()
    batch.created_counts = created
    batch.report = report_of(plan)
    batch.valid_rows, batch.existing_rows, batch.error_rows = (
        counts["valid"],
        counts["exists"],
        counts["errors"],
    )
    batch.save(
        update_fields=[
            "status",
            "committed_at",
            "created_counts",
            "report",
            "valid_rows",
            "existing_rows",
            "error_rows",
        ]
    )
    audit(
        actor=actor,
        verb="ledger.import",
        obj=batch,
        changes={**created, "file": batch.original_name},
    )
    transaction.on_commit(lambda: path.unlink(missing_ok=True))
    return batch


def ledger_import_discard(*, batch: ImportBatch) -> None:
    """Delete a batch's uploaded copy (it holds full identity numbers) without importing."""
    (import_root() / batch.file_name).unlink(missing_ok=True)


# ---- writing, set-based ------------------------------------------------------------------


def _write(plan: Plan, *, actor: User | None) -> dict[str, int]:
    """COPY the new households, members and enrolments, with ids taken first (core.ledgers.bulk):
    a household names its head before the head's row is in (foreign keys are deferred)."""
    heads = list(plan.new_households.values())
    household_ids = allocate_ids(Household, len(heads))
    people = [(hid, p) for hid, rows in zip(household_ids, heads, strict=True) for p in rows]
    people += [(hid, p) for hid, rows in plan.new_members.items() for p in rows]
    member_ids = dict(
        zip((p.digest for _h, p in people), allocate_ids(Member, len(people)), strict=True)
    )
    households = [
        {
            "id": hid,
            "area_id": plan.areas[rows[0].area_code].pk,
            "area_code": plan.areas[rows[0].area_code].prefix,
            "address": rows[0].address,
            "phone": rows[0].household_phone,
            "head_id": member_ids[rows[0].digest],
        }
        for hid, rows in zip(household_ids, heads, strict=True)
    ]
    copy_insert(Household, households)
    copy_insert(Member, (_member(member_ids[p.digest], hid, p) for hid, p in people))
    enrolments = _enrolments(household_ids, heads, member_ids, actor)
    return {"households": len(households), "members": len(people), "enrolments": enrolments}


def _member(member_id: int, household_id: int, person: PersonRow) -> dict[str, Any]:
    return {
        "id": member_id,
        "household_id": household_id,
        "name": person.name,
        "id_number_cipher": idnumber.encrypt(person.id_number),
        "id_number_hash": person.digest,
        "id_number_masked": person.masked,
        "sex": person.sex,
        "birth_date": person.birth_date,
        **person.member,
    }


def _enrolments(
    household_ids: list[int],
    heads: list[list[PersonRow]],
    member_ids: dict[str, int],
    actor: User | None,
) -> int:
    approve = actor is None or can(actor, Can.DECIDE_ENROLMENT)
    decided = {
        "status": Enrolment.Status.APPROVED if approve else Enrolment.Status.APPLIED,
        "reason": _("台账导入"),
        "applied_by_id": actor.pk if actor else None,
        "decided_by_id": actor.pk if actor and approve else None,
        "decided_at": timezone.now() if approve else None,
        "decision_reason": _("台账导入") if approve else "",
    }
    enrolments: list[dict[str, Any]] = []
    covered: list[list[int]] = []
    for household_id, rows in zip(household_ids, heads, strict=True):
        tekun = [p for p in rows if p.category == Category.Code.TEKUN]
        others = [member_ids[p.digest] for p in rows if p not in tekun]
        seen: set[str] = set()
        for person in rows:
            code = person.category
            if not code or (code != Category.Code.TEKUN and code in seen):
                continue
            seen.add(code)
            member = member_ids[person.digest] if code == Category.Code.TEKUN else None
            enrolments.append(
                {
                    **decided,
                    "household_id": household_id,
                    "member_id": member,
                    "category_id": code,
                    "start_date": person.start_date,
                    "end_date": person.end_date,
                    "monthly_amount": person.monthly_amount,
                }
            )
            covered.append([member] if member is not None else others)
    for enrolment, pk in zip(enrolments, allocate_ids(Enrolment, len(enrolments)), strict=True):
        enrolment["id"] = pk
    copy_insert(Enrolment, enrolments)
    links = [
        {"enrolment_id": enrolment["id"], "member_id": member}
        for enrolment, people in zip(enrolments, covered, strict=True)
        for member in people
    ]
    copy_insert(Enrolment.members.through, links, with_pk=False)
    return len(enrolments)


# ---- the template ---------------------------------------------------------------------------


def template_rows() -> list[list[str]]:
    """Two example households: a 低保 household of two, and a 特困 person living alone."""
    head = idnumber.compose("320506", dt.date(1960, 5, 17), 3)
    spouse = idnumber.compose("320506", dt.date(1962, 3, 8), 4)
    alone = idnumber.compose("320506", dt.date(1941, 11, 2), 5)
    return [
        ["320506001001", "狮林寺巷8号", "", head, "王建国", head, "户主", "", "", "", "慢性病",
         "部分丧失劳动能力", "0", "低保", "2026-01-01", "", "1700"],
        ["320506001001", "狮林寺巷8号", "", head, "张秀英", spouse, "配偶", "", "肢体", "二级",
         "健康", "无劳动能力", "0", "低保", "2026-01-01", "", "1700"],
        ["320506001002", "菉葭巷3号", "", alone, "李桂兰", alone, "户主", "", "", "", "重病/大病",
         "无劳动能力", "0", "特困", "2026-01-01", "", "1500"],
    ]  # fmt: skip


def ledger_template_xlsx() -> bytes:
    """The import template: the columns with two example households, and their meaning."""
    import io

    from core.ledgers.xlsx import XlsxColumn, XlsxWriter

    out = io.BytesIO()
    writer = XlsxWriter(
        out,
        columns=[XlsxColumn(str(c.header), width=16) for c in COLUMNS],
        sheet_title=_("家庭和成员台账"),
        banner=_("导入模板：每人一行；同一户各行的户主身份证号相同。第二张表说明各列。"),
        author="助联 Zhulian",
        created=timezone.now(),
    )
    writer.write_rows(template_rows())
    writer.write_sheet(
        _("填写说明"),
        [
            XlsxColumn(_("列名"), width=18),
            XlsxColumn(_("必填"), width=8),
            XlsxColumn(_("说明"), width=60),
        ],
        [[str(c.header), _("是") if c.required else _("否"), str(c.help)] for c in COLUMNS],
        banner=_("各列的含义与取值"),
    )
    writer.close()
    return out.getvalue()


def ledger_template_csv() -> bytes:
    import csv
    import io

    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow([str(c.header) for c in COLUMNS])
    writer.writerows(template_rows())
    return "\ufeff".encode() + text.getvalue().encode()
