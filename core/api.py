"""API plumbing shared by every app: errors in the user's language with the right status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_filters import BooleanFilter, ChoiceFilter, DateFilter, FilterSet, UUIDFilter
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
)
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ApplicationError, RateLimitedError, StaleVersionError


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Domain errors become 400 (409 for a stale version, 429 for a rate limit) with
    field-level messages."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, StaleVersionError):
        exc = Conflict(detail=exc.message)
    elif isinstance(exc, RateLimitedError):
        wait = exc.retry_after
        exc = exceptions.Throttled(detail=exc.message)  # our message alone, in our words
        exc.wait = wait  # for the Retry-After header
    elif isinstance(exc, ApplicationError):
        exc = exceptions.ValidationError(detail={"detail": [exc.message]})
    return drf_exception_handler(exc, context)


def one_url(name: str, *operations: type[APIView]) -> Callable[..., Any]:
    """Serve one-operation views that REST puts on one URL (list + create, get + update).

    DRF routes by URL, so their handlers are joined into one class. They must not share a
    handler, serializer or setting, or one would silently shadow the other.
    """
    seen: set[str] = set()
    for operation in operations:
        own = {attr for attr in vars(operation) if not attr.startswith("__")}
        if own & seen:
            raise ImproperlyConfigured(f"{name}: {sorted(own & seen)} defined twice")
        seen |= own
    return type(name, operations, {"__doc__": operations[0].__doc__}).as_view()


# JSON in and out. Who may see or do what is decided by the selectors and services.
# (A comment, not a docstring: the schema would publish it as every operation's description.)
class JsonApi(APIView):
    parser_classes = [JSONParser]


def validated(api: APIView, request: Request, **context: Any) -> dict[str, Any]:
    """The view's InputSerializer applied to the request body, or a 400 with field errors."""
    serializer = api.InputSerializer(data=request.data, context={"request": request, **context})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


_FILTER_TYPES = {
    UUIDFilter: OpenApiTypes.UUID,
    DateFilter: OpenApiTypes.DATE,
    BooleanFilter: OpenApiTypes.BOOL,
}


def filter_parameters(filterset: type[FilterSet]) -> list[OpenApiParameter]:
    """The query parameters of a list, read from the FilterSet its selector applies."""
    parameters = []
    for name, declared in filterset.base_filters.items():
        choices = declared.extra.get("choices") if isinstance(declared, ChoiceFilter) else None
        parameters.append(
            OpenApiParameter(
                name,
                _FILTER_TYPES.get(type(declared), OpenApiTypes.STR),
                description=str(declared.label),
                enum=[value for value, _label in choices] if choices else None,
            )
        )
    return parameters


# The documented error responses every app's operations share.
NOT_FOUND = {404: OpenApiResponse(description=_("不存在，或不在您的管辖范围内"))}
INVALID = {400: OpenApiResponse(description=_("输入有误：字段名 → 错误信息列表"))}
FORBIDDEN = {403: OpenApiResponse(description=_("可以查看，但无权执行此操作"))}
STALE = {409: OpenApiResponse(description=_("记录已被他人修改（version 已过期），未作任何更改"))}
WRITE_ERRORS = {**INVALID, **FORBIDDEN, **NOT_FOUND}
