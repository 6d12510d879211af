"""一键求助: the public form, and the community inbox where workers verify or discard requests."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_protect

from access.capabilities import Can, can
from core.audit import client_ip
from core.forms import add_service_errors
from core.masking import mask_phone
from households.selectors import household_get, household_list
from matching import selectors, services, throttle
from matching.forms import HelpRequestForm, ReasonForm, VerifyForm
from matching.views._common import DomainError, message_of


@method_decorator(csrf_protect, name="dispatch")
class HelpRequestView(View):
    """The public form: no login. It stores the request and says only that it arrived.

    Limited per address and per phone (matching/throttle.py); over the limit, or when the
    hidden honeypot field is filled, nothing is stored and nothing is said about why.
    """

    template = "matching/help_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            self.template,
            {"form": HelpRequestForm(communities=selectors.help_communities())},
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        ip = client_ip(request) or "unknown"
        if not throttle.hit("ip", ip, throttle.PER_IP):
            return render(request, "matching/help_limited.html", status=429)
        form = HelpRequestForm(request.POST, communities=selectors.help_communities())
        if not form.is_valid():
            return render(request, self.template, {"form": form}, status=400)
        data = form.cleaned_data
        if data["website"]:
            return redirect("matching:help_sent")
        if not throttle.hit("phone", data["phone"], throttle.PER_PHONE):
            return render(request, "matching/help_limited.html", status=429)
        try:
            need = services.help_request_submit(
                phone=data["phone"],
                area=data["area"],
                type=data["type"],
                subtype=data["subtype"],
                description=data["description"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return render(request, self.template, {"form": form}, status=400)
        # Kept in the asker's own session for the receipt: nothing in the URL to share or guess.
        request.session["help_reference"] = need.reference
        return redirect("matching:help_sent")


class HelpSentView(View):
    """The same words for everyone, and the asker's reference number and the hotline: nothing
    of what was sent, nothing about who asked."""

    def get(self, request: HttpRequest) -> HttpResponse:
        context = {
            "reference": request.session.get("help_reference", ""),
            "hotline": settings.HELP_HOTLINE,
        }
        return render(request, "matching/help_sent.html", context)


class InboxView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        if not can(request.user, Can.VIEW_NEEDS):
            raise PermissionDenied
        requests = selectors.inbox_list(actor=request.user)[:200]
        can_work = can(request.user, Can.WORK_NEEDS)
        rows = [
            (need, need.requester_phone if can_work else mask_phone(need.requester_phone))
            for need in requests
        ]
        return render(
            request,
            "matching/inbox.html",
            {"rows": rows, "can_work": can_work, "discard_form": ReasonForm()},
        )


class InboxVerifyView(LoginRequiredMixin, View):
    """Tie a request to a household: those with the caller's phone first, or found by search."""

    template = "matching/inbox_verify.html"

    def _context(self, request: HttpRequest, need: object, form: VerifyForm) -> dict:
        q = (request.GET.get("q") or "").strip()
        found = household_list(actor=request.user, filters={"q": q})[:10] if q else []
        return {
            "need": need,
            "form": form,
            "q": q,
            "by_phone": selectors.households_in_scope_with_phone(
                actor=request.user, phone=need.requester_phone
            ),
            "found": found,
        }

    def get(self, request: HttpRequest, need_id: str) -> HttpResponse:
        need = selectors.need_get_for_work(actor=request.user, need_id=need_id)
        form = VerifyForm(initial={"urgency": need.urgency})
        return render(request, self.template, self._context(request, need, form))

    def post(self, request: HttpRequest, need_id: str) -> HttpResponse:
        need = selectors.need_get_for_work(actor=request.user, need_id=need_id)
        form = VerifyForm(request.POST)
        if form.is_valid():
            household = household_get(
                actor=request.user, household_id=form.cleaned_data["household"]
            )
            try:
                need = services.need_verify(
                    actor=request.user,
                    need=need,
                    household=household,
                    urgency=form.cleaned_data["urgency"],
                )
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("求助已核实，已列入该户的需求。"))
                return redirect("matching:need", need_id=need.uuid)
        return render(request, self.template, self._context(request, need, form), status=400)


class InboxDiscardView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, need_id: str) -> HttpResponse:
        need = selectors.need_get_for_work(actor=request.user, need_id=need_id)
        form = ReasonForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(_("请填写不予受理的原因。"))
            services.need_discard(actor=request.user, need=need, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, message_of(error))
        else:
            messages.success(request, _("该求助已标记为不予受理。"))
        return redirect("matching:inbox")
