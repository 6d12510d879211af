"""Dashboard API (/api/v1/dashboard/…): each panel's numbers as JSON, scoped like the pages.

`?area=CODE` (default: the user's own area; 404 outside their scope) and, where a panel is
about a day, `?date=YYYY-MM-DD` (default today).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from access.capabilities import Can, can
from core.api import NOT_FOUND
from dashboards import panels as dashboard
from dashboards.views import parse_day

if TYPE_CHECKING:
    from rest_framework.request import Request

_AREA = OpenApiParameter("area", OpenApiTypes.STR, description="区划代码；默认为本人所属区划")
_DATE = OpenApiParameter("date", OpenApiTypes.DATE, description="统计日期，默认今天")
# The numbers, or 404: an area outside the user's scope, or a role that reads no dashboards.
_PANEL = {200: OpenApiTypes.OBJECT, **NOT_FOUND}


def _plain(value: Any) -> Any:
    """Dataclasses, dates and lazy strings as JSON-ready values."""
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


class _PanelApi(APIView):
    def scope(self, request: Request) -> dashboard.Scope:
        return dashboard.dashboard_area(actor=request.user, code=request.query_params.get("area"))

    def day(self, request: Request) -> dt.date:
        return parse_day(request.query_params.get("date"))


def _area(scope: dashboard.Scope) -> dict[str, str]:
    return {"code": scope.area.code, "name": scope.area.name, "level": scope.area.level}


class CaseloadApi(_PanelApi):
    @extend_schema(
        operation_id="dashboard_caseload",
        description="各救助类别在统计日期有效的户数、人数（特困按人），本区划及各下级区划；本月新增、暂停、终止。",
        parameters=[_AREA, _DATE],
        responses=_PANEL,
    )
    def get(self, request: Request) -> Response:
        scope, day = self.scope(request), self.day(request)
        table = dashboard.caseload(scope=scope, day=day)

        def row(r: dashboard.CaseloadRow) -> dict[str, Any]:
            cells = {
                code: {"households": c.households, "persons": c.persons}
                for code, c in r.cells.items()
            }
            total = {"households": r.total.households, "persons": r.total.persons}
            return {"code": r.code, "name": r.name, "categories": cells, "total": total}

        return Response(
            {
                "area": _area(scope),
                "date": day.isoformat(),
                "summary": table.summary,
                "categories": [
                    {"code": c.code, "name": c.name, "per_person": c.per_person}
                    for c in table.categories
                ],
                "total": row(table.area_row),
                "children": [row(r) for r in table.rows],
                "changes": table.changes,
            }
        )


class FollowUpsApi(_PanelApi):
    @extend_schema(
        operation_id="dashboard_followups",
        parameters=[_AREA, _DATE],
        responses=_PANEL,
    )
    def get(self, request: Request) -> Response:
        scope, day = self.scope(request), self.day(request)
        panel = dashboard.followups(scope=scope, day=day)
        return Response({"area": _area(scope), "date": day.isoformat(), **_plain(panel)})


class VisitsApi(_PanelApi):
    @extend_schema(
        operation_id="dashboard_visits",
        parameters=[_AREA, _DATE],
        responses=_PANEL,
    )
    def get(self, request: Request) -> Response:
        scope, day = self.scope(request), self.day(request)
        panel = dashboard.visits(scope=scope, day=day)
        return Response({"area": _area(scope), "date": day.isoformat(), **_plain(panel)})


class AlertsApi(_PanelApi):
    @extend_schema(operation_id="dashboard_alerts", parameters=[_AREA], responses=_PANEL)
    def get(self, request: Request) -> Response:
        scope = self.scope(request)
        return Response({"area": _area(scope), **_plain(dashboard.alerts(scope=scope))})


class ServicesApi(_PanelApi):
    @extend_schema(
        operation_id="dashboard_services",
        parameters=[_AREA, _DATE],
        responses=_PANEL,
    )
    def get(self, request: Request) -> Response:
        scope, day = self.scope(request), self.day(request)
        panel = dashboard.services(scope=scope, day=day)
        return Response({"area": _area(scope), "date": day.isoformat(), **_plain(panel)})


class NeedsApi(_PanelApi):
    @extend_schema(operation_id="dashboard_needs", parameters=[_AREA], responses=_PANEL)
    def get(self, request: Request) -> Response:
        if not can(request.user, Can.VIEW_NEEDS):
            raise Http404
        scope = self.scope(request)
        return Response({"area": _area(scope), **_plain(dashboard.needs(scope=scope))})


class ReferralsApi(_PanelApi):
    @extend_schema(operation_id="dashboard_referrals", parameters=[_AREA], responses=_PANEL)
    def get(self, request: Request) -> Response:
        if not can(request.user, Can.VIEW_NEEDS):
            raise Http404
        scope = self.scope(request)
        return Response({"area": _area(scope), **_plain(dashboard.referrals(scope=scope))})


class ResourcesApi(_PanelApi):
    @extend_schema(
        operation_id="dashboard_resources",
        parameters=[_AREA, _DATE],
        responses=_PANEL,
    )
    def get(self, request: Request) -> Response:
        if not can(request.user, Can.VIEW_NEEDS):
            raise Http404
        scope, day = self.scope(request), self.day(request)
        rows = dashboard.resources(actor=request.user, scope=scope, day=day)
        return Response({"area": _area(scope), "date": day.isoformat(), "resources": _plain(rows)})
