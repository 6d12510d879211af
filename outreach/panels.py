"""The 政策找人 panels on the pages of the apps below: a worker's worklist, a household's
page, and the street's dashboard (需求资源: open leads by community and policy, open 应退尽退
flags by community).

Registered in the slots those pages declare (core/panels.py), from `register()`, which
`OutreachConfig.ready()` calls: the pages never import outreach/.
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


WORKLIST_SHOWN = 10


def worklist_panel(*, actor: Any, today: Any = None) -> dict[str, Any]:
    """The worklist's 政策找人 section: the first open leads, and whether there are more."""
    leads = selectors.worklist_leads(actor=actor, limit=WORKLIST_SHOWN + 1)
    return {
        "outreach_leads": leads[:WORKLIST_SHOWN],
        "outreach_leads_more": len(leads) > WORKLIST_SHOWN,
    }


def household_panel(*, actor: Any, household: Any) -> dict[str, Any]:
    """A household page's open leads and 应退尽退 prompts."""
    return {
        "outreach_leads": selectors.household_leads(actor=actor, household_id=household.pk),
        "outreach_flags": selectors.household_flags(actor=actor, household_id=household.pk),
    }


def dashboard_panel(*, actor: Any, scope: Any) -> dict[str, Any]:
    """The dashboard's panel for its (already scoped) area."""
    return {"outreach_dashboard": leads_panel(scope=scope)}


def register() -> None:
    """Last on the worklist and the household page; after the needs on the dashboard."""
    from cases.panels import worklist_sections
    from dashboards.slots import needs_sections
    from households.panels import household_sections

    worklist_sections.register(
        template="outreach/_worklist_leads.html", context=worklist_panel, order=200
    )
    household_sections.register(
        template="outreach/_household_leads.html", context=household_panel, order=200
    )
    needs_sections.register(template="outreach/_dashboard_leads.html", context=dashboard_panel)


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
