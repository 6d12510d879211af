"""Pages of no app: the health check, the access-log search, the error pages."""

from __future__ import annotations

import sys

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from core.errors import RateLimitedError
from core.forms import AccessLogSearchForm
from core.keyset import KeysetPage, keyset_page
from households import access_log
from households.filters import ID_NUMBER_IN_QUERY
from households.forms import IdNumberSearchForm


@method_decorator(never_cache, name="dispatch")
class HealthCheckView(View):
    """`/healthz`: the process answers, for the reverse proxy's checks (GET only, public).

    Touches neither PostgreSQL nor Redis (a request without a session cookie reads no
    session), so a proxy keeps sending traffic through a database restart, which the next
    request survives on its own (conn_health_checks).
    """

    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok\n", content_type="text/plain")


class AccessLogSearchView(LoginRequiredMixin, View):
    """Auditors and district admins search the access log of their area (403 for others)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        params = request.GET.copy()
        # An identity number in the URL is refused, never echoed into the page or its links.
        id_in_url = access_log.looks_like_id_number(params.get("q", ""))
        if id_in_url:
            params.pop("q")
        form = AccessLogSearchForm(params or None)
        filters = form.filters()
        qs = access_log.access_log_search(actor=request.user, filters=filters)
        invalid = id_in_url or (form.is_bound and not form.is_valid())
        if invalid:
            qs = qs.none()
        page = keyset_page(qs, after=params.get("after"), before=params.get("before"), count=False)
        for key in ("after", "before"):
            params.pop(key, None)
        return _access_log_page(
            request,
            {
                "form": form,
                "page": page,
                "query": params.urlencode(),
                "filters": filters,
                "id_error": ID_NUMBER_IN_QUERY if id_in_url else None,
            },
            status=400 if invalid else 200,
        )


class AccessLogIdSearchView(LoginRequiredMixin, View):
    """POST only: the entries about the households (in the reader's area) where a member
    holds an identity number. The answer is a redirect to the search by those households'
    UUIDs, so the number stays out of every URL and the pages page as usual."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        id_form = IdNumberSearchForm(request.POST)
        access_log.access_log_qs_visible_to(actor=request.user)  # 403 for other roles
        if id_form.is_valid():
            uuids = access_log.households_with_id_number(
                actor=request.user, number=id_form.cleaned_data["id_number"]
            )
            if uuids:
                query = QueryDict(mutable=True)
                query["household"] = ",".join(uuids)
                return redirect(f"{reverse('audit:access_log')}?{query.urlencode()}")
            id_form.add_error("id_number", _("辖区内没有成员持有该身份证号的家庭。"))
        empty = KeysetPage([], None, None, 0, False)
        response = _access_log_page(
            request,
            {"form": AccessLogSearchForm(), "id_form": id_form, "page": empty, "query": ""},
            status=400 if id_form.errors else 200,
        )
        response["Cache-Control"] = "no-store"
        return response


def _access_log_page(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    context.setdefault("id_form", IdNumberSearchForm())
    for entry in context["page"].items:
        entry.details = access_log.describe(entry.action, entry.detail)
    return render(request, "households/access_log.html", context, status=status)


class AccessLogExportView(LoginRequiredMixin, View):
    """POST only: the CSV of a search, recorded in the log before its first row is sent."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = AccessLogSearchForm(request.POST)
        qs = access_log.access_log_search(actor=request.user, filters=form.filters())
        if not form.is_valid():
            # The messages alone: as_text() would show each field's code (* date_from * …).
            errors = "；".join(m for field in form.errors.values() for m in field)
            return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
        access_log.access_log_export_record(
            actor=request.user, filters=form.filters(), request=request
        )
        response = StreamingHttpResponse(
            access_log.csv_rows(qs), content_type="text/csv; charset=utf-8"
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="access-log-{stamp}.csv"'
        response["Cache-Control"] = "no-store"
        return response


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
