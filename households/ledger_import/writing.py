"""Writing a plan, set-based: the members' rows and the enrolments with their members."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from access.capabilities import Can, can
from households import idnumber
from households.ledger_import.columns import PersonRow
from households.models import Category, Enrolment
from ledgers.bulk import allocate_ids, copy_insert

if TYPE_CHECKING:
    from households.models import User


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
