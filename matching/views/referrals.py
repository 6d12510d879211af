"""Pages of referrals: the worker's list and page, the provider portal, and every step."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from access.capabilities import Can, can
from core.forms import add_service_errors
from core.keyset import keyset_page
from matching import selectors, services
from matching.candidates import referral_reasons
from matching.forms import ConfirmForm, DeliverForm, ReasonForm
from matching.models import Referral
from matching.views._common import DomainError, message_of, query_without_cursor
from resources.selectors import provider_of

REFERRAL_TABS = [
    ("waiting", gettext_lazy("待接收"), [Referral.Status.PROPOSED]),
    ("working", gettext_lazy("服务中"), [Referral.Status.ACCEPTED]),
    ("delivered", gettext_lazy("待回访确认"), [Referral.Status.DELIVERED]),
    (
        "done",
        gettext_lazy("已办结"),
        [
            Referral.Status.CONFIRMED,
            Referral.Status.CLOSED,
            Referral.Status.DECLINED,
            Referral.Status.CANCELLED,
        ],
    ),
]


def _statuses(tab: str) -> tuple[str, list[str]]:
    for key, _label, statuses in REFERRAL_TABS:
        if key == tab:
            return key, statuses
    return REFERRAL_TABS[0][0], REFERRAL_TABS[0][2]


class ReferralListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        if not can(request.user, Can.VIEW_NEEDS):
            raise PermissionDenied
        tab, statuses = _statuses(request.GET.get("tab") or "delivered")
        qs = selectors.referral_list(actor=request.user, filters={"status": statuses})
        page = keyset_page(qs, after=request.GET.get("after"), before=request.GET.get("before"))
        return render(
            request,
            "matching/referral_list.html",
            {
                "page": page,
                "tabs": [(key, label) for key, label, _s in REFERRAL_TABS],
                "tab": tab,
                "query": query_without_cursor(request),
            },
        )


class ReferralDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, referral_id: str) -> HttpResponse:
        if can(request.user, Can.ACT_FOR_PROVIDER):
            return redirect("matching:portal")
        referral = selectors.referral_get(actor=request.user, referral_id=referral_id)
        return _render_detail(request, referral)


def _render_detail(
    request: HttpRequest,
    referral: Referral,
    confirm_form: ConfirmForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The referral's page; a confirmation that failed comes back bound, with its errors."""
    can_work = can(request.user, Can.WORK_NEEDS)
    if confirm_form is None and can_work:
        confirm_form = ConfirmForm(visits=selectors.referral_visit_choices(referral=referral))
    return render(
        request,
        "matching/referral_detail.html",
        {
            "referral": referral,
            "reasons": referral_reasons(referral, today=timezone.localdate()),
            "can_work": can_work,
            "confirm_form": confirm_form if can_work else None,
            "deliver_form": DeliverForm(referral=referral),
            "reason_form": ReasonForm(),
            "next_followup": selectors.household_next_followup(household=referral.household),
        },
        status=status,
    )


class PortalView(LoginRequiredMixin, View):
    """The provider's portal: only its referrals, only name, masked phone and address."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not can(request.user, Can.ACT_FOR_PROVIDER):
            raise PermissionDenied
        tab, statuses = _statuses(request.GET.get("tab") or "waiting")
        qs = selectors.portal_referrals(actor=request.user).filter(status__in=statuses)
        page = keyset_page(qs, after=request.GET.get("after"), before=request.GET.get("before"))
        return render(
            request,
            "matching/portal.html",
            {
                "provider": provider_of(request.user),
                # Each card's forms get their own element ids: with one id per page, a label
                # on the second card would focus the first card's field.
                "items": [
                    (
                        selectors.portal_view(r),
                        DeliverForm(referral=r, auto_id=f"id_%s_{r.uuid.hex}"),
                        ReasonForm(auto_id=f"id_%s_{r.uuid.hex}"),
                    )
                    for r in page.items
                ],
                "page": page,
                "tabs": [(key, label) for key, label, _s in REFERRAL_TABS],
                "tab": tab,
                "query": query_without_cursor(request),
            },
        )


class PortalPhoneView(LoginRequiredMixin, View):
    """The full phone of a household the provider is serving, to call it; each view logged."""

    def get(self, request: HttpRequest, referral_id: str) -> HttpResponse:
        referral = selectors.portal_referral_for_call(actor=request.user, referral_id=referral_id)
        phone = services.referral_phone_reveal(
            actor=request.user, referral=referral, request=request
        )
        item = selectors.portal_view(referral)
        return render(request, "matching/portal_phone.html", {"item": item, "phone": phone})


# ---- the steps (POST only) -------------------------------------------------------------


class _StepView(LoginRequiredMixin, View):
    """Fetch through the step's access selector, run its service, redirect back."""

    http_method_names = ["post"]
    done_message = ""
    provider_step = False

    def post(self, request: HttpRequest, referral_id: str) -> HttpResponse:
        get = (
            selectors.referral_get_for_provider_step
            if self.provider_step
            else selectors.referral_get_for_work
        )
        referral = get(actor=request.user, referral_id=referral_id)
        try:
            self.run(request, referral)
        except DomainError as error:
            messages.error(request, message_of(error))
        else:
            messages.success(request, self.done_message)
        if can(request.user, Can.ACT_FOR_PROVIDER):
            return redirect(reverse("matching:portal") + f"?tab={request.POST.get('tab', '')}")
        return redirect("matching:referral", referral_id=referral.uuid)

    def run(self, request: HttpRequest, referral: Referral) -> None:
        raise NotImplementedError

    def reason(self, request: HttpRequest) -> str:
        form = ReasonForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("请填写原因。"))
        return form.cleaned_data["reason"]


class ReferralAcceptView(_StepView):
    provider_step = True
    done_message = gettext_lazy("已接收，请按约定提供服务或物资。")

    def run(self, request: HttpRequest, referral: Referral) -> None:
        services.referral_accept(actor=request.user, referral=referral)


class ReferralDeclineView(_StepView):
    provider_step = True
    done_message = gettext_lazy("已拒绝，社工会另行安排。")

    def run(self, request: HttpRequest, referral: Referral) -> None:
        services.referral_decline(
            actor=request.user, referral=referral, reason=self.reason(request)
        )


class ReferralDeliverView(_StepView):
    provider_step = True
    done_message = gettext_lazy("交付已登记，社工将在回访时确认。")

    def run(self, request: HttpRequest, referral: Referral) -> None:
        form = DeliverForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("请填写交付数量和日期。"))
        services.referral_deliver(actor=request.user, referral=referral, **form.cleaned_data)


class ReferralConfirmView(LoginRequiredMixin, View):
    """The worker's confirmation. Unlike the other steps it is a form of several fields: when
    one is wrong the page comes back with the typed values and each field's own error."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, referral_id: str) -> HttpResponse:
        referral = selectors.referral_get_for_work(actor=request.user, referral_id=referral_id)
        visits = selectors.referral_visit_choices(referral=referral)
        form = ConfirmForm(request.POST, visits=visits)
        if form.is_valid():
            try:
                services.referral_confirm(
                    actor=request.user, referral=referral, **form.cleaned_data
                )
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("回访确认已保存，闭环完成。"))
                return redirect("matching:referral", referral_id=referral.uuid)
        return _render_detail(request, referral, confirm_form=form, status=400)


class ReferralCloseView(_StepView):
    done_message = gettext_lazy("转介已办结。")

    def run(self, request: HttpRequest, referral: Referral) -> None:
        services.referral_close(actor=request.user, referral=referral)


class ReferralCancelView(_StepView):
    done_message = gettext_lazy("转介已撤回，名额或库存已退回。")

    def run(self, request: HttpRequest, referral: Referral) -> None:
        services.referral_cancel(actor=request.user, referral=referral, reason=self.reason(request))
