"""Middleware of our own: idle session expiry without a database write on every request."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse

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
