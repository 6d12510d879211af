"""DRF authentication that names the API user on trigger-written history rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pghistory
from django.db.models import Q
from django.utils import timezone
from knox.auth import TokenAuthentication
from knox.settings import knox_settings
from rest_framework import authentication


class _HistoryUserMixin:
    """DRF authenticates inside the view, after pghistory's middleware opened its context:
    add the API user to that context so trigger-written history rows name them."""

    def authenticate(self, request: Any) -> Any:
        result = super().authenticate(request)  # type: ignore[misc]
        if result is not None:
            pghistory.context(user=result[0].pk)
        return result


class HistoryTokenAuthentication(_HistoryUserMixin, TokenAuthentication):
    """django-rest-knox tokens; knox deletes an expired token when it meets it."""

    def renew_token(self, auth_token: Any) -> None:
        """Each use moves the expiry a full idle period ahead, never past the token's maximum
        age, and records the use: written at most once per MIN_REFRESH_INTERVAL.

        knox's own renewal caps at AUTO_REFRESH_MAX_TTL too, but records no use."""
        from accounts.models import ApiTokenInfo

        now = timezone.now()
        interval = dt.timedelta(seconds=knox_settings.MIN_REFRESH_INTERVAL)
        expiry = now + knox_settings.TOKEN_TTL
        if knox_settings.AUTO_REFRESH_MAX_TTL is not None:
            expiry = min(expiry, auth_token.created + knox_settings.AUTO_REFRESH_MAX_TTL)
        infos = ApiTokenInfo.objects.filter(token=auth_token.pk)
        if expiry - auth_token.expiry > interval:
            auth_token.expiry = expiry
            auth_token.save(update_fields=["expiry"])
            infos.update(last_used_at=now)
        else:
            # The expiry stands (just issued or renewed, or at the maximum age): record the
            # use alone, unless it was recorded within the interval (a no-op UPDATE then).
            stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - interval)
            infos.filter(stale).update(last_used_at=now)


class HistorySessionAuthentication(_HistoryUserMixin, authentication.SessionAuthentication):
    pass
