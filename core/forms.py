"""Helpers for server-rendered forms."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from core.errors import ApplicationError


def add_service_errors(form: forms.Form, error: ValidationError | ApplicationError) -> None:
    """Put a service's errors on the form: on their field where the form has one."""
    if isinstance(error, ApplicationError):
        form.add_error(None, error.message)
        return
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")
