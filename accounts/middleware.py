"""Send a signed-in user whose password an admin set to the password page first."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# What such a user may still reach: the page itself, signing out, the language switch.
# The API answers for itself (accounts.permissions), with a 403 rather than a redirect.
_OPEN = ("accounts:password_change", "logout", "set_language")
_OWN_ANSWER = ("/api/", "/static/", "/healthz")


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            not request.path.startswith(_OWN_ANSWER)
            and getattr(request.user, "must_change_password", False)
            and request.path not in {reverse(name) for name in _OPEN}
        ):
            return redirect("accounts:password_change")
        return self.get_response(request)
