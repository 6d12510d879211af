"""The applicant's own lookup, without an account: a reference number and a phone number.

It shows the application's step and its dates, and nothing more: no name, no address, no
category, no amount. A wrong pair reads exactly like a missing one. Limited per address and
per reference number, counted in the shared cache like the public help form
(matching/throttle.py), so the pair cannot be guessed by trying.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from django.utils.translation import gettext as _

from applications import selectors
from applications.models import Application
from applications.services import phone_hash
from core.errors import RateLimitedError
from matching import throttle

PER_IP = (20, 60 * 60)  # 20 lookups an hour from one address
PER_REFERENCE = (10, 60 * 60)  # 10 lookups an hour of one reference number


@dataclass(frozen=True)
class Progress:
    step: str
    step_label: str
    received_on: dt.date
    accepted_on: dt.date | None
    notice_start: dt.date | None
    notice_end: dt.date | None
    decided_on: dt.date | None
    more_requested: bool


def application_lookup(*, reference: str, phone: str, ip: str) -> Progress | None:
    """The step and dates of the application, if the pair matches; None otherwise."""
    reference = reference.strip().upper()
    if not throttle.hit("lookup-ip", ip or "unknown", PER_IP) or not throttle.hit(
        "lookup-ref", reference, PER_REFERENCE
    ):
        raise RateLimitedError(_("查询过于频繁，请一小时后再试。"), retry_after=PER_IP[1])
    application = selectors.application_by_reference(reference=reference)
    given = phone_hash(phone)
    if application is None or not hmac.compare_digest(application.lookup_phone_hash, given):
        return None
    return _progress(application)


def _progress(a: Application) -> Progress:
    return Progress(
        step=a.status,
        step_label=str(a.get_status_display()),
        received_on=a.received_on,
        accepted_on=a.accepted_on,
        notice_start=a.notice_start,
        notice_end=a.notice_end,
        decided_on=a.decided_on,
        more_requested=bool(a.more_requested) and a.status == Application.Status.RECEIVED,
    )
