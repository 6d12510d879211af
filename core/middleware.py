"""Middleware of our own: idle session expiry without a database write on every request, and
requests carrying NUL characters refused before a view reads them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.urls import get_resolver, get_urlconf
from django.utils.translation import gettext as _

_RENEWED = "_renewed"


def renew_every() -> int:
    """Seconds between two renewals of a signed-in session: a tenth of the idle time, at
    most a minute. The session then ends between SESSION_COOKIE_AGE less this and
    SESSION_COOKIE_AGE after the last request."""
    return max(1, min(60, settings.SESSION_COOKIE_AGE // 10))


def mark_renewed(session: Any) -> None:
    session[_RENEWED] = int(time.time())


class IdleSessionMiddleware:
    """Renew a signed-in session's expiry at most once a minute, instead of saving the session
    (an UPDATE and a commit) on every request as SESSION_SAVE_EVERY_REQUEST would.

    Placed just after SessionMiddleware, so the renewal is saved by it on the way out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.modified or not session.accessed:
            return response
        if SESSION_KEY not in session:
            return response
        now = int(time.time())
        if now - int(session.get(_RENEWED, 0)) >= renew_every():
            mark_renewed(session)
        return response


_NUL = "\x00"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_PATH = "detail"


class RefuseNulMiddleware:
    """Answer 400 to a request with a NUL character in its path, a query parameter (name or
    value), a cookie, its Authorization header, a form field or a JSON string, before any
    view or authentication reads it.

    PostgreSQL cannot hold NUL in text, so such a value used to reach a query or an insert
    and answer 500 (`?area=%00`, `/api/v1/areas/320506%00/`). No field of ours may hold
    one, so the request is refused whole: the API with a JSON 400 naming the fields, as its
    other input errors do, a page with the site's 400 page. Uploaded files are not looked at
    (an XLSX is binary); their cells are checked by the import.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        fields = _fields_with_nul(request)
        if fields:
            return _refuse(request, fields)
        return self.get_response(request)


def _fields_with_nul(request: HttpRequest) -> list[str]:
    """The names of the parameters or fields holding a NUL ("detail" for the path)."""
    if _NUL in request.path or _NUL in request.path_info:
        return [_PATH]
    # A quoted cookie may spell NUL as \000, which Python's cookie parser decodes: the
    # session and CSRF cookies are looked up as they come. So is the API token.
    if any(_NUL in k or _NUL in v for k, v in request.COOKIES.items()):
        return [_PATH]
    if _NUL in request.META.get("HTTP_AUTHORIZATION", ""):
        return [_PATH]
    found = _in_query(request.GET)
    if found or request.method not in ("POST", "PUT", "PATCH"):
        return found
    content_type = request.content_type or ""
    try:
        if request.method == "POST" and content_type in _FORM_TYPES:
            return _in_query(request.POST)
        if content_type == "application/json" or content_type.endswith("+json"):
            return _in_json(request.body)
    except (RequestDataTooBig, TooManyFieldsSent, MultiPartParserError, UnreadablePostError):
        # The view meets the same error and answers it as Django does.
        return []
    return []


def _in_query(query: Any) -> list[str]:
    return [
        key.replace(_NUL, "") or _PATH
        for key, values in query.lists()
        if _NUL in key or any(_NUL in v for v in values)
    ]


def _in_json(body: bytes) -> list[str]:
    # The common case costs a substring search; only a body that may hold NUL is parsed.
    if b"\\u0000" not in body and b"\x00" not in body:
        return []
    try:
        data = json.loads(body)
    except ValueError:
        return []  # not JSON: the parser's own 400
    if isinstance(data, dict):
        return [
            str(key).replace(_NUL, "") or _PATH
            for key, value in data.items()
            if _json_has_nul(key) or _json_has_nul(value)
        ]
    return [_PATH] if _json_has_nul(data) else []


def _json_has_nul(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _NUL in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _refuse(request: HttpRequest, fields: list[str]) -> HttpResponse:
    message = _("含有空字符（NUL），已拒绝。请检查链接或填写的内容。")
    if request.path.startswith("/api/"):
        return JsonResponse({field: [message] for field in fields}, status=400)
    handler = get_resolver(get_urlconf()).resolve_error_handler(400)
    return handler(request, exception=SuspiciousOperation(message))
