"""Needs noticed on a visit, handed to the app that keeps the needs list (需求清单).

matching/ owns needs and sits above cases/, so cases/ does not import it: matching/
registers its needs list here from `MatchingConfig.ready()`, and a visit hands it what it
found through `needs_record`, inside the visit's own transaction (a visit and its needs are
stored together or not at all). Without a needs list registered (matching/ not installed),
needs are kept as the visit's free text only and a structured need is refused. A needs list
that fails to import fails the start-up, never a visit quietly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from households.models import Household, User


@dataclass(frozen=True)
class NeedsList:
    """What case work asks of the needs list."""

    # (type label, [("type:subtype", label), …]) groups, for a select with optgroups.
    kind_choices: Callable[[], list[tuple[str, list[tuple[str, str]]]]]
    urgency_choices: Callable[[], list[tuple[int, str]]]
    # The needs' statuses, labelled (the open-need tier rule names those not yet met).
    status_choices: Callable[[], list[tuple[str, str]]]
    # The needs' table and its household, type and status columns (the open-need tier rule).
    table: Callable[[], tuple[str, str, str, str]]
    # (actor=, household=, needs=[{"kind": "type:subtype", "description", "urgency",
    # "client_id"}]) -> the needs created, with source "visit"; runs in the caller's
    # transaction.
    record: Callable[..., list[Any]]


_needs_list: NeedsList | None = None


def needs_list_register(needs_list: NeedsList) -> None:
    global _needs_list
    _needs_list = needs_list


def needs_list() -> NeedsList | None:
    return _needs_list


def needs_list_available() -> bool:
    return _needs_list is not None


def need_kind_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    return _needs_list.kind_choices() if _needs_list is not None else []


def need_urgency_choices() -> list[tuple[int, str]]:
    return _needs_list.urgency_choices() if _needs_list is not None else []


def needs_record(
    *, actor: User | None, household: Household, needs: list[dict[str, Any]]
) -> list[Any]:
    """Create one need per {"kind": "type:subtype", "description", "urgency"}; source: visit."""
    if not needs:
        return []
    if _needs_list is None:
        raise RuntimeError("needs recorded with no needs list registered")
    return _needs_list.record(actor=actor, household=household, needs=needs)
