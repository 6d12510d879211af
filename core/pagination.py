"""Keyset pagination for every list endpoint: a page is an index range, never an OFFSET."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from rest_framework.request import Request
    from rest_framework.response import Response
    from rest_framework.serializers import BaseSerializer
    from rest_framework.views import APIView


class KeysetPagination(CursorPagination):
    """Newest first by the primary key, with an opaque `cursor` and `page_size` up to 200.

    The key is unique, so a position alone marks a page: a cursor carrying an offset (which
    DRF would turn into OFFSET n) or a position that is not an integer is refused as invalid.
    """

    ordering = "-id"
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200

    def decode_cursor(self, request: Request) -> Cursor | None:
        cursor = super().decode_cursor(request)
        if cursor is None:
            return None
        if cursor.offset or (cursor.position is not None and not cursor.position.isdigit()):
            raise NotFound(self.invalid_cursor_message)
        return cursor


def paginated_response(
    *,
    queryset: QuerySet,
    serializer_class: type[BaseSerializer],
    request: Request,
    view: APIView,
    context: dict[str, Any] | None = None,
) -> Response:
    """One page of `queryset`, serialized, with `next`/`previous` links (view.pagination_class)."""
    paginator = getattr(view, "pagination_class", KeysetPagination)()
    page = paginator.paginate_queryset(queryset, request, view=view)
    serializer = serializer_class(page, many=True, context=context or {"request": request})
    return paginator.get_paginated_response(serializer.data)
