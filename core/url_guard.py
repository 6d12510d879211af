"""No identity number in a URL: a query-string value shaped like one is refused (400).

A URL lands in the browser's history and in every proxy's and server's log before any view
reads it, so the pages and the API look numbers up by POST only (households:id_search,
audit:access_log_id_search, POST /api/v1/households/search/ …) and never put one in a link
or a redirect. This is the backstop for whatever still sends one: the request is refused
before any view runs, and the answer never repeats the value.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from core.id_number_shape import looks_like_id_number

# The answer to a query string that carries an identity number, here and in the lists' own
# checks (households.filters.refuse_id_number_in_query).
ID_NUMBER_IN_QUERY = _("身份证号不能放在网址中：请用“按身份证号查找”（POST）。")


def _offending(request: HttpRequest) -> str | None:
    for name, values in request.GET.lists():
        if any(looks_like_id_number(value) for value in values):
            return name
    return None


class RefuseIdNumberInUrlMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = _offending(request) if request.GET else None
        if name is None:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({name: [str(ID_NUMBER_IN_QUERY)]}, status=400)
        else:
            response = render(
                request,
                "errors/id_number_in_url.html",
                {"message": ID_NUMBER_IN_QUERY, "back": request.path},
                status=400,
            )
        response["Cache-Control"] = "no-store"
        return response
