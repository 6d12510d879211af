"""OpenAPI descriptions drf-spectacular cannot infer: our DRF authentication classes, and
the answer of every keyset-paginated list to a bad cursor."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme


class HistorySessionScheme(SessionScheme):
    target_class = "accounts.authentication.HistorySessionAuthentication"


class HistoryTokenScheme(KnoxTokenScheme):
    target_class = "accounts.authentication.HistoryTokenAuthentication"
    name = "tokenAuth"


def document_bad_cursor(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Every list that takes a `cursor` answers a forged or stale one with 404
    (core.pagination.KeysetPagination); a postprocessing hook says so once for all of them."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            query = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
            if any(p.get("name") == "cursor" for p in query):
                operation["responses"].setdefault("404", {"description": gettext("无效游标")})
    return result
