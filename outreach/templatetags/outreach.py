"""`{% worklist_leads %}`: the 政策找人 section of a worker's worklist, read through the
outreach selectors for the signed-in user, so the worklist's view needs no change."""

from __future__ import annotations

from typing import Any

from django import template

from outreach import selectors

register = template.Library()

SHOWN = 10


@register.inclusion_tag("outreach/_worklist_leads.html", takes_context=True)
def worklist_leads(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    leads = selectors.worklist_leads(actor=user, limit=SHOWN + 1)
    return {"leads": leads[:SHOWN], "more": len(leads) > SHOWN}


@register.inclusion_tag("outreach/_dashboard_leads.html", takes_context=True)
def dashboard_leads(context: dict[str, Any]) -> dict[str, Any]:
    """The dashboard's 政策找人 panel for its (already scoped) area."""
    from outreach.panels import leads_panel

    return {"leads": leads_panel(scope=context["scope"])}


@register.inclusion_tag("outreach/_household_leads.html", takes_context=True)
def household_leads(context: dict[str, Any], household: Any) -> dict[str, Any]:
    """The household page's open leads and 应退尽退 prompts, read for the signed-in user."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "leads": selectors.household_leads(actor=user, household_id=household.pk),
        "flags": selectors.household_flags(actor=user, household_id=household.pk),
        "household": household,
    }
