"""Writes of 一门受理, by step: intake (the window), steps (department, investigation, 公示,
decision), lists (the responsibility list and the calendar)."""

from applications.services._common import phone_hash
from applications.services.intake import (
    application_take,
    document_add,
    document_view_record,
    household_file_record,
)
from applications.services.lists import (
    calendar_day_remove,
    calendar_day_set,
    responsibility_create,
    responsibility_update,
)
from applications.services.steps import (
    application_accept,
    application_approve,
    application_move,
    application_reject,
    application_request_more,
    investigation_record,
    needs_notice,
    notice_publish,
    objection_record,
    per_capita,
    rejection_notice_sent,
)

__all__ = [
    "application_accept",
    "application_approve",
    "application_move",
    "application_reject",
    "application_request_more",
    "application_take",
    "calendar_day_remove",
    "calendar_day_set",
    "document_add",
    "document_view_record",
    "household_file_record",
    "investigation_record",
    "needs_notice",
    "notice_publish",
    "objection_record",
    "per_capita",
    "phone_hash",
    "rejection_notice_sent",
    "responsibility_create",
    "responsibility_update",
]
