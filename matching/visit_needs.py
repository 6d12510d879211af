"""The needs list as case work sees it: what a visit may record, and how it is recorded.

cases/ sits below matching/ and does not import it; `register()`, run from
`MatchingConfig.ready()`, gives it this (cases/needs.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cases.needs import NeedsList, needs_list_register
from matching.models import Need
from matching.services import need_create
from resources.vocabulary import SUBTYPES_BY_TYPE, NeedSubtype, NeedType

if TYPE_CHECKING:
    from households.models import Household, User


def kind_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    subtype_labels = dict(NeedSubtype.choices)
    return [
        (
            str(label),
            [(f"{kind}:{sub}", str(subtype_labels[sub])) for sub in SUBTYPES_BY_TYPE[kind]],
        )
        for kind, label in NeedType.choices
    ]


def urgency_choices() -> list[tuple[int, str]]:
    return [(value, str(label)) for value, label in Need.Urgency.choices]


def status_choices() -> list[tuple[str, str]]:
    return list(Need.Status.choices)


def table() -> tuple[str, str, str, str]:
    meta = Need._meta
    columns = [meta.get_field(name).column for name in ("household", "type", "status")]
    return meta.db_table, columns[0], columns[1], columns[2]


def needs_from_visit(
    *, actor: User | None, household: Household, needs: list[dict[str, Any]]
) -> list[Need]:
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


def register() -> None:
    needs_list_register(
        NeedsList(
            kind_choices=kind_choices,
            urgency_choices=urgency_choices,
            status_choices=status_choices,
            table=table,
            record=needs_from_visit,
        )
    )
