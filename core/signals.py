"""Logins and failed logins go to the access log: an audit side concern, not a domain flow."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from core.audit import log_access
from core.middleware import mark_renewed
from core.models import AccessLog


@receiver(user_logged_in, dispatch_uid="zhulian.access_log.login")
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    log_access(actor=user, action=AccessLog.Action.LOGIN, request=request)
    if request is not None and hasattr(request, "session"):
        mark_renewed(request.session)  # saved with the login itself: no renewal right after


@receiver(user_login_failed, dispatch_uid="zhulian.access_log.login_failed")
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    log_access(actor=None, action=AccessLog.Action.LOGIN_FAILED, request=request, username=username)
