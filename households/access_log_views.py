"""The access-log search under /audit/ (namespace "audit"): the page, its CSV, the search by
identity number. Auditors and district admins only, in their area (households/access_log.py)."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from core.keyset import KeysetPage, keyset_page
from households import access_log
from households.filters import ID_NUMBER_IN_QUERY
from households.forms import AccessLogSearchForm, IdNumberSearchForm


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
