"""Masks for personal data shown to people who need only part of it (providers, lists)."""

from __future__ import annotations


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
