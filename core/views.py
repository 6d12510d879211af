"""Pages of no app: the health check."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache


@method_decorator(never_cache, name="dispatch")
class HealthCheckView(View):
    """`/healthz`: the process answers, for the reverse proxy's checks (GET only, public).

    Touches neither PostgreSQL nor Redis (a request without a session cookie reads no
    session), so a proxy keeps sending traffic through a database restart, which the next
    request survives on its own (conn_health_checks).
    """

    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok\n", content_type="text/plain")
