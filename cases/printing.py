"""A visit record as a PDF: its findings, the needs noted, who visited, when and how.

Scoped like the visit's page (out of scope is 404) and logged: the record leaves the system.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View

from cases import selectors
from core.audit import log_access
from core.models import AccessLog
from core.pdf import pdf_response
from households.printing import print_header


class VisitPdfView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, visit_id: str) -> HttpResponse:
        visit = selectors.visit_get(actor=request.user, visit_id=visit_id)
        household = visit.household
        log_access(
            actor=request.user,
            action=AccessLog.Action.PRINT_VISIT,
            request=request,
            obj=visit,
            household_id=household.pk,
            detail={"format": "pdf"},
        )
        name = household.head.name if household.head_id else household.address
        day = timezone.localtime(visit.visited_at).strftime("%Y%m%d")
        return pdf_response(
            request,
            template="printing/visit_record.html",
            context={"visit": visit, **print_header(actor=request.user, area=household.area)},
            filename=f"走访记录-{name}-{day}.pdf",
            back_url=reverse("cases:visit_detail", args=[visit.uuid]),
        )
