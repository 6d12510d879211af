"""API plumbing shared by every app: errors in the user's language with the right status."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ApplicationError, StaleVersionError


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Domain errors become 400 (or 409 for a stale version) with field-level messages."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, StaleVersionError):
        exc = Conflict(detail=exc.message)
    elif isinstance(exc, ApplicationError):
        exc = exceptions.ValidationError(detail={"detail": [exc.message]})
    return drf_exception_handler(exc, context)
