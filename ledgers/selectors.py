"""Reads of export jobs and import batches: each user sees only their own."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from ledgers.models import ExportJob, ImportBatch

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from access.roles import SignedIn

    Actor = SignedIn | AnonymousUser | None


def export_job_qs_visible_to(*, actor: Actor) -> QuerySet[ExportJob]:
    """A user's own export jobs: a file holds the rows of its maker's scope, no one else's."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return ExportJob.objects.none()
    return ExportJob.objects.filter(actor=actor)


def export_job_list(*, actor: Actor, limit: int = 50) -> list[ExportJob]:
    return list(export_job_qs_visible_to(actor=actor).order_by("-created_at")[:limit])


def export_job_get(*, actor: Actor, job_id: UUID | str) -> ExportJob:
    try:
        return export_job_qs_visible_to(actor=actor).get(uuid=job_id)
    except (ExportJob.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None


def import_batch_qs_visible_to(*, actor: Actor) -> QuerySet[ImportBatch]:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(actor=actor)


def import_batch_get(*, actor: Actor, batch_id: UUID | str) -> ImportBatch:
    try:
        return import_batch_qs_visible_to(actor=actor).get(uuid=batch_id)
    except (ImportBatch.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None


def import_batch_list(*, actor: Actor, limit: int = 20) -> list[ImportBatch]:
    return list(import_batch_qs_visible_to(actor=actor).order_by("-created_at")[:limit])
