"""OpenAPI descriptions of our DRF authentication classes (accounts/authentication.py), which
drf-spectacular cannot infer: they are knox's and DRF's session scheme under our names."""

from __future__ import annotations

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme


class HistorySessionScheme(SessionScheme):
    target_class = "accounts.authentication.HistorySessionAuthentication"


class HistoryTokenScheme(KnoxTokenScheme):
    target_class = "accounts.authentication.HistoryTokenAuthentication"
    name = "tokenAuth"
