"""Needs noticed on a visit, recorded in matching/'s needs list (需求清单) when it is there.

matching/ owns needs; case work only hands it what a visit found, through its service
`need_create`. Imported lazily, so that cases/ works (needs kept as text only) without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from households.models import Household, User


def needs_list_available() -> bool:
    try:
        from matching.services import need_create  # noqa: F401
        from resources.vocabulary import SUBTYPES_BY_TYPE  # noqa: F401
    except ImportError:
        return False
    return True


def need_kind_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """(type label, [("type:subtype", label), …]) groups for a select with optgroups."""
    if not needs_list_available():
        return []
    from resources.vocabulary import SUBTYPES_BY_TYPE, NeedSubtype, NeedType

    subtype_labels = dict(NeedSubtype.choices)
    return [
        (
            str(label),
            [(f"{kind}:{sub}", str(subtype_labels[sub])) for sub in SUBTYPES_BY_TYPE[kind]],
        )
        for kind, label in NeedType.choices
    ]


def need_urgency_choices() -> list[tuple[int, str]]:
    if not needs_list_available():
        return []
    from matching.models import Need

    return [(value, str(label)) for value, label in Need.Urgency.choices]


def needs_record(
    *, actor: User | None, household: Household, needs: list[dict[str, Any]]
) -> list[Any]:
    """Create one need per {"kind": "type:subtype", "description", "urgency"}; source: visit."""
    if not needs:
        return []
    from matching.models import Need
    from matching.services import need_create

    created = []
    for need in needs:
        kind, _sep, subtype = need["kind"].partition(":")
        created.append(
            need_create(
                actor=actor,
                household=household,
                type=kind,
                subtype=subtype,
                urgency=need.get("urgency") or Need.Urgency.MEDIUM,
                source=Need.Source.VISIT,
                description=need.get("description", ""),
                client_id=need.get("client_id"),
            )
        )
    return created


def waiting_for_worker(*, actor: User, limit: int = 5) -> dict[str, Any] | None:
    """What waits for the worker in matching/ besides follow-ups: help requests (一键求助) in
    the community inbox, and deliveries to confirm with the household (待回访确认). Each a
    total and the oldest few; None without matching/ or for a role that does not work needs.
    """
    if not needs_list_available():
        return None
    from access.capabilities import Can, can
    from matching import selectors
    from matching.models import Referral

    if not can(actor, Can.WORK_NEEDS):
        return None
    requests = selectors.inbox_list(actor=actor)
    deliveries = selectors.referral_list(
        actor=actor, filters={"status": [Referral.Status.DELIVERED]}
    ).order_by("delivered_at", "id")
    return {
        "requests": requests.count(),
        "request_rows": list(requests[:limit]),
        "deliveries": deliveries.count(),
        "delivery_rows": list(deliveries[:limit]),
    }
