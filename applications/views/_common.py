from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from core.errors import ApplicationError

DomainError = (ValidationError, ApplicationError)


def say_errors(request: HttpRequest, error: Any) -> None:
    """A service's refusal as a message on the page it returns to."""
    if isinstance(error, ApplicationError):
        messages.error(request, error.message)
    else:
        messages.error(request, " ".join(error.messages))


def form_errors(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        messages.error(request, " ".join(errors))
