"""DRF authentication that names the API user on trigger-written history rows."""

from __future__ import annotations

from typing import Any

import pghistory
from rest_framework import authentication


class _HistoryUserMixin:
    """DRF authenticates inside the view, after pghistory's middleware opened its context:
    add the API user to that context so trigger-written history rows name them."""

    def authenticate(self, request: Any) -> Any:
        result = super().authenticate(request)  # type: ignore[misc]
        if result is not None:
            pghistory.context(user=result[0].pk)
        return result


class HistoryTokenAuthentication(_HistoryUserMixin, authentication.TokenAuthentication):
    pass


class HistorySessionAuthentication(_HistoryUserMixin, authentication.SessionAuthentication):
    pass
