from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from core.errors import ApplicationError

DomainError = (ValidationError, ApplicationError)


def message_of(error: Any) -> str:
    if isinstance(error, ApplicationError):
        return error.message
    return " ".join(error.messages)


def query_without_cursor(request: HttpRequest) -> str:
    query = request.GET.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    return query.urlencode()
