"""A household's file (档案) as a PDF: what its page shows, on A4, for the paper folder.

Scoped like the page (out of scope is 404) and logged like an export: the file leaves the
system. Identity numbers are only ever the stored masked form; a full number is never
printed, whoever asks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View

from core.audit import log_access
from core.masking import phone_for
from core.models import AccessLog
from core.pdf import pdf_response
from households import selectors
from households.panels import household_file_sections

if TYPE_CHECKING:
    from households.models import Area, Household, User


def area_path(area: Area | None) -> str:
    """District / street / community, from the top: the letterhead of a printed page."""
    names: list[str] = []
    while area is not None:
        names.append(area.name)
        area = area.parent
    return " / ".join(reversed(names))


def print_header(*, actor: User, area: Area | None) -> dict[str, Any]:
    return {
        "area_path": area_path(area),
        "printed_at": timezone.localtime(),
        "printed_by": f"{actor}（{actor.get_role_display()}）" if actor.role else str(actor),
    }


def household_file_context(*, actor: User, household: Household) -> dict[str, Any]:
    """The file's own parts; case work and needs come from their apps' panels."""
    members = list(selectors.household_detail_members(household=household))
    return {
        "household": household,
        "phone": phone_for(actor, household.phone),
        "members": members,
        "enrolments": selectors.household_page_enrolments(household=household, members=members),
        **household_file_sections.context(actor=actor, household=household),
        **print_header(actor=actor, area=household.area),
    }


class HouseholdPdfView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, household_id: str) -> HttpResponse:
        household = selectors.household_get(actor=request.user, household_id=household_id)
        log_access(
            actor=request.user,
            action=AccessLog.Action.PRINT_HOUSEHOLD,
            request=request,
            obj=household,
            household_id=household.pk,
            detail={"format": "pdf"},
        )
        context = household_file_context(actor=request.user, household=household)
        day = timezone.localdate().strftime("%Y%m%d")
        name = household.head.name if household.head_id else household.address
        return pdf_response(
            request,
            template="printing/household_file.html",
            context=context,
            filename=f"家庭档案-{name}-{day}.pdf",
            back_url=reverse("households:detail", args=[household.uuid]),
        )
