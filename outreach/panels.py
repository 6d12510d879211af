"""The 政策找人 panel of the street's dashboard (需求资源): open leads by community and
policy, and open 应退尽退 flags by community.

A module of its own, so the dashboard only includes it (`{% dashboard_leads %}` in the
needs page); the area comes from the dashboard's scoped `dashboard_area`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from outreach import selectors
from resources.models import Resource


@dataclass
class LeadRow:
    name: str
    code: str
    counts: dict[int, int] = field(default_factory=dict)  # policy id → open leads
    flags: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class LeadsPanel:
    policies: list[tuple[int, str, str]]  # id, name, uuid
    rows: list[LeadRow]
    total: int
    flags: int

    def cells(self, row: LeadRow) -> list[tuple[int, str]]:
        return [
            (row.counts.get(pid, 0), _link("outreach:leads", area=row.code, policy=uuid))
            for pid, _name, uuid in self.policies
        ]

    @property
    def table(self) -> list[tuple[LeadRow, list[tuple[int, str]], str, str]]:
        return [
            (
                row,
                self.cells(row),
                _link("outreach:leads", area=row.code),
                _link("outreach:flags", area=row.code),
            )
            for row in self.rows
        ]


def _link(name: str, **params: Any) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def leads_panel(*, scope: Any) -> LeadsPanel:
    """`scope` is the dashboard's Scope (its area, children and child code length)."""
    found = selectors.lead_counts(area_prefix=scope.area.prefix, child_length=scope.child_length)
    by_child: dict[str, LeadRow] = {}
    names = {c.prefix: (c.name, c.code) for c in scope.children}
    for child, policy_id, leads, flags in found:
        name, code = names.get(child, (str(_("（直属）")), scope.area.code))
        if not scope.children:
            name, code = scope.area.name, scope.area.code
        row = by_child.setdefault(child, LeadRow(name, code))
        if policy_id:
            row.counts[policy_id] = row.counts.get(policy_id, 0) + leads
        row.flags += flags
    policy_ids = {pid for row in by_child.values() for pid in row.counts}
    policies = [
        (p.pk, p.name, str(p.uuid))
        for p in Resource.objects.filter(pk__in=policy_ids).order_by("name").only("name", "uuid")
    ]
    order = [c.prefix for c in scope.children] + [""]
    rows = [by_child[k] for k in order if k in by_child]
    return LeadsPanel(
        policies=policies,
        rows=rows,
        total=sum(r.total for r in rows),
        flags=sum(r.flags for r in rows),
    )
