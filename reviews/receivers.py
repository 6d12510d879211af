"""Receivers of the signals of the apps below reviews/ (connected in `ReviewsConfig.ready()`)."""

from __future__ import annotations

from typing import Any

from reviews.dues import keep_review_dues


def start_review_clock(*, enrolment_ids: list[int], **kwargs: Any) -> None:
    """An approved enrolment gets its first review due date in the approval's transaction."""
    keep_review_dues(enrolment_ids=enrolment_ids)
