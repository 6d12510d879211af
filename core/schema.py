"""OpenAPI descriptions drf-spectacular cannot infer: the answer of every keyset-paginated list
to a bad cursor. (The authentication schemes are described with the classes, in accounts.)"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext


def document_bad_cursor(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Every list that takes a `cursor` answers a forged or stale one with 404
    (core.pagination.KeysetPagination); a postprocessing hook says so once for all of them."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            query = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
            if any(p.get("name") == "cursor" for p in query):
                operation["responses"].setdefault("404", {"description": gettext("无效游标")})
    return result
