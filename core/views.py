"""Pages of no app: the health check and the error pages."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from core.errors import RateLimitedError


@method_decorator(never_cache, name="dispatch")
class HealthCheckView(View):
    """`/healthz`: the process answers, for the reverse proxy's checks (GET only, public).

    Touches neither PostgreSQL nor Redis (a request without a session cookie reads no
    session), so a proxy keeps sending traffic through a database restart, which the next
    request survives on its own (conn_health_checks).
    """

    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok\n", content_type="text/plain")


_DATABASE_DOWN = (OperationalError, InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database that is down or restarting is a 503 (try again shortly), any
    other error a plain 500; neither shows a traceback, and neither touches the database
    (no session, no user), which may be exactly what is missing."""
    error = sys.exc_info()[1]
    down = isinstance(error, _DATABASE_DOWN) or isinstance(
        getattr(error, "__cause__", None), _DATABASE_DOWN
    )
    status = 503 if down else 500
    if request.path.startswith("/api/"):
        detail = _("服务暂时不可用，请稍后重试。") if down else _("服务器内部错误。")
        response: HttpResponse = JsonResponse({"detail": detail}, status=status)
    else:
        template = loader.get_template("503.html" if down else "500.html")
        response = HttpResponse(template.render({}, None), status=status)
    if down:
        response["Retry-After"] = "5"
    response["Cache-Control"] = "no-store"
    return response


# ---- error pages: the site's layout and the user's language; JSON under /api/ ----------


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400. The request itself may be what is broken (a bad host, too many fields),
    so the page reads nothing from it: the minimal layout, no user, no session."""
    if _is_api(request):
        return JsonResponse({"detail": _("请求有误。")}, status=400)
    return HttpResponse(loader.get_template("400.html").render({}, None), status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403."""
    if _is_api(request):
        return JsonResponse({"detail": _("您没有执行该操作的权限。")}, status=403)
    return render(request, "403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: Django's own page is in English and says nothing a user can act on."""
    if _is_api(request):
        return JsonResponse({"detail": _("CSRF 校验失败，请刷新页面后重试。")}, status=403)
    return render(request, "403.html", {"csrf_failure": True}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: never says whether the thing exists out of the user's scope."""
    if _is_api(request):
        return JsonResponse({"detail": _("未找到。")}, status=404)
    return render(request, "404.html", status=404)


def rate_limited(request: HttpRequest, error: RateLimitedError) -> HttpResponse:
    """The 429 page of a rate limit met by a page (the API answers through its handler)."""
    response = render(request, "429.html", {"message": error.message}, status=429)
    if error.retry_after:
        response["Retry-After"] = str(error.retry_after)
    return response
