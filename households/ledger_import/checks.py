"""Checks across rows and against the database, the plan of what to write, and the report."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from access.scope import covers, scope_prefix, within
from core.masking import mask_id_numbers
from households import clashes
from households.ledger_import.columns import (
    MAX_REPORTED_ERRORS,
    ROW_ERROR,
    ROW_EXISTS,
    ROW_NEW,
    PersonRow,
    Plan,
)
from households.ledger_import.parsing import parse
from households.models import Area, Category, Enrolment, Member
from ledgers.importing import Row

if TYPE_CHECKING:
    from collections.abc import Iterable

    from households.models import User


def _allowed_areas(codes: set[str], actor: User | None, area: Area | None) -> dict[str, Area]:
    """The file's area codes that name a community or grid inside the importer's scope."""
    prefix = scope_prefix(actor) if actor is not None else ""
    if area is not None:
        prefix = area.prefix if actor is None or covers(actor, area.prefix) else None
    if prefix is None:
        return {}
    found = Area.objects.filter(
        within("prefix", prefix),
        code__in=codes,
        level__in=[Area.Level.COMMUNITY, Area.Level.GRID],
    )
    return {a.code: a for a in found}


def _existing_members(digests: set[str]) -> dict[str, tuple[int, str, str]]:
    """Active members holding any of these numbers: digest → (household id, head's digest,
    the household's area code)."""
    found: dict[str, tuple[int, str, str]] = {}
    ordered = sorted(digests)
    for start in range(0, len(ordered), 10_000):
        chunk = ordered[start : start + 10_000]
        rows = Member.objects.filter(
            id_number_hash__in=chunk, status=Member.Status.ACTIVE
        ).values_list(
            "id_number_hash",
            "household_id",
            "household__head__id_number_hash",
            "household__area_code",
        )
        for digest, household_id, head_digest, area_code in rows:
            found[digest] = (household_id, head_digest or "", area_code)
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


def validate(
    rows: Iterable[tuple[int, Row]] | list[PersonRow],
    *,
    actor: User | None,
    area: Area | None = None,
    record_clashes: bool = False,
) -> Plan:
    """Check every row and decide what a commit would write; writes nothing to the registry.

    `rows` are the file's rows, or rows parsed before in this process (checked again
    against the file's other rows and the database, which may have changed since).
    With `record_clashes`, each number found active out of the importer's scope is written
    to the access log and counted against the importer's clash limit (households/clashes.py).
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
    hidden = _out_of_scope(existing, actor)
    refused = _answer_clashes(people, existing, hidden, actor=actor, record=record_clashes)
    plan = Plan(rows=people, new_households={}, new_members={}, areas=areas)
    groups: dict[str, list[PersonRow]] = defaultdict(list)
    for person in people:
        if person.head_digest:
            groups[person.head_digest].append(person)
    live = _live_categories({existing[h][0] for h in groups if h in existing})
    for head_digest, group in groups.items():
        if head_digest in hidden:
            continue  # every row of the group was answered or refused in _answer_clashes
        _check_household(plan, head_digest, group, existing, live)
    for person in refused:
        person.errors = [mask_id_numbers(_limit_message())]
    return plan


# ---- numbers held out of the importer's scope ------------------------------------------------


# The member page's words (households/services.py): the holder is neither named nor placed.
def _hidden_message() -> str:
    return _("该身份证号已登记为其他地区的在户成员，不能重复登记。请先核实该人员的户籍与居住情况。")


def _hidden_head_message() -> str:
    return _("户主身份证号已登记为其他地区的在户成员，本户不能导入。请先核实该户的户籍与居住情况。")


def _limit_message() -> str:
    return clashes.ClashLimitError().message


def _out_of_scope(existing: dict[str, tuple[int, str, str]], actor: User | None) -> set[str]:
    """The numbers held by households the importer cannot see (none for a command's import)."""
    if actor is None:
        return set()
    return {
        digest for digest, (_h, _d, area_code) in existing.items() if not covers(actor, area_code)
    }


def _answer_clashes(
    people: list[PersonRow],
    existing: dict[str, tuple[int, str, str]],
    hidden: set[str],
    *,
    actor: User | None,
    record: bool,
) -> list[PersonRow]:
    """Answer, in row order, the rows whose number (or head's number) is held out of scope,
    the same way as the member page: each distinct number is one logged and counted clash,
    and from the one that goes over the limit on (or from the start, for a user already
    over it) every row with a number is refused with words that do not say whether that
    number is registered, so that a file cannot be used to probe. The refused rows."""
    if actor is None or not actor.pk:
        return []
    from households import services

    limited = clashes.limit_reached(actor)
    answered: set[str] = set()
    refused: list[PersonRow] = []
    for person in people:
        numbers = [
            (digest, field)
            for digest, field in ((person.digest, "id_number"), (person.head_digest, "head"))
            if digest
        ]
        if numbers and limited:
            person.fail(_limit_message())
            refused.append(person)
            continue
        for digest, field in numbers:
            if digest not in hidden:
                continue
            if record and digest not in answered:
                clash = clashes.IdNumberClashError(
                    {field: [_hidden_message()]},
                    holder_household_id=existing[digest][0],
                    field="id_number" if field == "id_number" else "head_id_number",
                )
                limited = clashes.count(actor) > settings.ID_CLASH_LIMIT
                services.id_number_clash_record(
                    actor=actor, request=None, clash=clash, limited=limited
                )
                if limited:
                    person.fail(_limit_message())
                    refused.append(person)
                    break
            answered.add(digest)
            person.fail(_hidden_message() if field == "id_number" else _hidden_head_message())
            break
    return refused


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
        {
            "row": p.number,
            "name": mask_id_numbers(p.name),
            "id_number": p.masked or "",
            "messages": p.errors,
        }
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
