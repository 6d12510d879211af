"""The department's portal, and the applicant's lookup without an account."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_protect

from access.capabilities import Can, can
from applications import clock, lookup, selectors
from applications.forms import LookupForm, TextForm
from applications.views._common import DomainError
from core.audit import client_ip
from core.errors import RateLimitedError
from resources.selectors import provider_of


class PortalView(LoginRequiredMixin, View):
    """A department's open applications, most urgent first, with accept / ask for more; the
    decision is on the application's page, which the department reads in full."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not can(request.user, Can.ACT_FOR_PROVIDER):
            raise PermissionDenied
        today = timezone.localdate()
        rows = []
        for a in selectors.portal_applications(actor=request.user)[:100]:
            overrides = selectors.calendar_overrides(district=a.area_code[:6])
            rows.append((a, *clock.standing(a.due_on, today, overrides)))
        context = {"provider": provider_of(request.user), "rows": rows, "text_form": TextForm()}
        return render(request, "applications/portal.html", context)


@method_decorator(csrf_protect, name="dispatch")
class LookupView(View):
    """受理编号 + 电话 → the step and its dates. No login, nothing personal, rate-limited."""

    template = "applications/lookup.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template, {"form": LookupForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = LookupForm(request.POST)
        if not form.is_valid():
            return render(request, self.template, {"form": form}, status=400)
        try:
            progress = lookup.application_lookup(
                reference=form.cleaned_data["reference"],
                phone=form.cleaned_data["phone"],
                ip=client_ip(request) or "",
            )
        except RateLimitedError:
            return render(request, "applications/lookup_limited.html", status=429)
        except DomainError:
            progress = None
        context = {"form": LookupForm(), "progress": progress, "searched": True}
        return render(request, self.template, context, status=200 if progress else 404)
