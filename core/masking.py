"""Masks for personal data shown to people who need only part of it (providers, lists)."""

from __future__ import annotations

import re
from typing import Any

# Roles that read the registry to check it, not to call anyone: they see every phone number
# masked, on pages, in the API and in the history, as a masked export shows it.
_PHONES_MASKED_FOR = frozenset({"auditor"})


def mask_phone(phone: str | None) -> str:
    """The first 3 and last 4 digits, the rest as asterisks: 138****5678.

    Spaces and dashes are dropped first; a number too short to keep 7 digits is masked
    whole, so no short number is ever shown in clear.
    """
    digits = "".join(ch for ch in (phone or "") if not ch.isspace() and ch != "-")
    if not digits:
        return ""
    if len(digits) < 8:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


# A run of exactly 18 characters (17 digits and a digit or X) or of exactly 15 digits: an
# identity number's shape, whether or not its check digit or date is right. Area codes of
# 15 digits have the same shape and are masked too; a message names the row they are on.
_ID_NUMBER_SHAPE = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9Xx])")


def mask_id_numbers(text: str) -> str:
    """Every identity-number-shaped run in a free text (a message quoting a cell, a file
    name) masked as identity numbers are everywhere: the first 4 and last 4 kept."""
    return _ID_NUMBER_SHAPE.sub(lambda m: _mask_middle(m.group()), text)


def _mask_middle(number: str) -> str:
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def masks_phones(actor: Any) -> bool:
    """Whether `actor` sees phone numbers masked (the one rule for pages and the API)."""
    return getattr(actor, "role", None) in _PHONES_MASKED_FOR


def phone_for(actor: Any, phone: str | None) -> str:
    """A phone number as `actor` may see it."""
    return mask_phone(phone) if masks_phones(actor) else (phone or "")
