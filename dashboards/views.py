"""Dashboard pages (/dashboard/): 救助对象, 走访跟进, 需求资源.

Each page: parse the area and date → `dashboard_area` (scoped, 404 outside) → the panels'
selectors → render; the charts' data goes into the page with json_script (a JSON block, not
a script), which static/js/dashboard.js reads to draw them with ECharts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from access.capabilities import Can, can
from dashboards import panels as dashboard
from dashboards.slots import casework_sections, needs_sections


def parse_day(raw: str | None) -> dt.date:
    """The date asked for (YYYY-MM-DD), or today; never after today."""
    today = timezone.localdate()
    try:
        day = dt.date.fromisoformat(raw) if raw else today
    except ValueError:
        return today
    return min(day, today)


def _context(request: HttpRequest, tab: str) -> tuple[dashboard.Scope, dt.date, dict[str, Any]]:
    scope = dashboard.dashboard_area(actor=request.user, code=request.GET.get("area"))
    day = parse_day(request.GET.get("date"))
    return scope, day, {"scope": scope, "day": day, "areas": scope.choices, "tab": tab}


class DashboardCaseloadView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        scope, day, context = _context(request, "caseload")
        table = dashboard.caseload(scope=scope, day=day)
        changes = [(c, table.changes[c.code], table.decisions[c.code]) for c in table.categories]
        context.update(table=table, changes=changes, charts=caseload_charts(table))
        return render(request, "dashboard/caseload.html", context)


class DashboardCaseworkView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        scope, day, context = _context(request, "casework")
        panels = {
            "followups": dashboard.followups(scope=scope, day=day),
            "visits": dashboard.visits(scope=scope, day=day),
            "alerts": dashboard.alerts(scope=scope),
            "services": dashboard.services(scope=scope, day=day),
        }
        context.update(panels, charts=casework_charts(**panels))
        context.update(casework_sections.context(actor=request.user, scope=scope, day=day))
        return render(request, "dashboard/casework.html", context)


class DashboardNeedsView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        if not can(request.user, Can.VIEW_NEEDS):
            raise Http404
        scope, day, context = _context(request, "needs")
        panels = {
            "needs": dashboard.needs(scope=scope),
            "referrals": dashboard.referrals(scope=scope),
            "resources": dashboard.resources(actor=request.user, scope=scope, day=day),
        }
        context.update(panels, charts=needs_charts(**panels))
        context.update(needs_sections.context(actor=request.user, scope=scope))
        return render(request, "dashboard/needs.html", context)


# ---- chart data: plain lists the JS turns into ECharts options -----------------------------


def caseload_charts(table: dashboard.Caseload) -> dict[str, Any]:
    rows = table.rows or [table.area_row]
    return {
        "persons": {
            "type": "stacked_bar",
            "categories": [row.name for row in rows],
            "series": [
                {
                    "name": c.name,
                    "data": [row.cells[c.code].persons for row in rows],
                    "urls": [row.cells[c.code].persons_url for row in rows],
                }
                for c in table.categories
            ],
        },
        "areas": {
            "type": "treemap",
            "data": [
                {"name": row.name, "value": row.total.persons, "url": row.url}
                for row in rows
                if row.total.persons
            ],
        },
    }


def casework_charts(*, followups: Any, visits: Any, alerts: Any, services: Any) -> dict[str, Any]:
    areas = followups.by_area or [followups.total]
    return {
        "followups": {
            "type": "stacked_bar",
            "categories": [a.name for a in areas],
            "series": [
                {
                    "name": _("逾期"),
                    "data": [a.overdue for a in areas],
                    "urls": [a.overdue_url for a in areas],
                },
                {"name": _("按时完成"), "data": [a.on_time for a in areas]},
                {"name": _("逾期完成"), "data": [a.late for a in areas]},
            ],
        },
        "visits": {
            "type": "line",
            "categories": [m.strftime("%Y-%m") for m in visits.months],
            "series": [
                {"name": label, "data": visits.by_month[code]} for code, label in visits.methods
            ],
        },
        "methods": {
            "type": "pie",
            "data": [
                {
                    "name": label,
                    "value": visits.this_month[code],
                    "url": visits.this_month_urls[code],
                }
                for code, label in visits.methods
                if visits.this_month[code]
            ],
        },
    }


def needs_charts(*, needs: Any, referrals: Any, resources: Any) -> dict[str, Any]:
    return {
        "needs": {
            "type": "stacked_bar",
            "categories": [label for _code, label in needs.types],
            "series": [
                {
                    "name": status_label,
                    "data": [needs.counts[t][status] for t, _l in needs.types],
                    "urls": [needs.urls[t][status] for t, _l in needs.types],
                }
                for status, status_label in needs.statuses
            ],
        },
        "outcomes": {
            "type": "pie",
            "data": [
                {"name": label, "value": n, "url": url}
                for _code, label, n, url in referrals.by_outcome
                if n
            ],
        },
        "resources": {
            "type": "bar_vs",
            "categories": [r.name for r in resources],
            "series": [
                {
                    "name": _("已用"),
                    "data": [r.used for r in resources],
                    "urls": [r.url for r in resources],
                },
                {"name": _("名额/库存"), "data": [r.limit for r in resources]},
            ],
        },
    }
