"""Pages of the registry. Parse → access through a selector → one service → render/redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from access.capabilities import Can, can
from core.audit import log_access
from core.errors import ApplicationError, RateLimitedError
from core.forms import add_service_errors
from core.keyset import KeysetPage, keyset_page
from core.models import AccessLog
from core.views import rate_limited
from households import idnumber, selectors, services
from households.clashes import clashes_recorded
from households.filters import ID_NUMBER_IN_QUERY
from households.forms import (
    EnrolmentApplyForm,
    HouseholdForm,
    HouseholdSearchForm,
    IdNumberSearchForm,
    MemberForm,
    RevealForm,
)
from households.models import Enrolment, Member
from households.panels import household_facts, household_sections

DomainError = (ValidationError, ApplicationError)


# Where each role's day starts: a social worker with who to visit next, street staff with
# what is overdue, a provider with the referrals addressed to it.
_START_PAGE = {
    "social_worker": "cases:worklist",
    "street_staff": "cases:overdue",
    "provider": "matching:portal",
}


class HomeView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return redirect(_START_PAGE.get(request.user.role, "households:list"))


class HouseholdListView(LoginRequiredMixin, View):
    """Search by name or address (GET). An identity number is refused here, never echoed
    into the page's links, and looked up by POST on HouseholdIdSearchView instead."""

    def get(self, request: HttpRequest) -> HttpResponse:
        params = request.GET.copy()
        id_in_url = idnumber.looks_like_id_number(params.get("q", ""))
        if id_in_url:
            params.pop("q")
        areas = selectors.area_filter_choices(actor=request.user)
        form = HouseholdSearchForm(params or None, areas=areas)
        try:
            qs = selectors.household_list(actor=request.user, filters=form.filters())
        except ValidationError:
            qs = selectors.household_list(actor=request.user).none()
        if id_in_url:
            qs = qs.none()
        page = keyset_page(
            _with_list_prefetches(qs),
            after=params.get("after"),
            before=params.get("before"),
            count=not params.get("q"),
        )
        for key in ("after", "before"):
            params.pop(key, None)
        context = {"form": form, "page": page, "query": params.urlencode()}
        if id_in_url:
            context["id_form"] = IdNumberSearchForm()
            context["id_error"] = ID_NUMBER_IN_QUERY
        return _list_page(request, context, status=400 if id_in_url else 200)


class HouseholdIdSearchView(LoginRequiredMixin, View):
    """POST only: the households (in scope) with a member holding an identity number."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        id_form = IdNumberSearchForm(request.POST)
        form = HouseholdSearchForm(areas=selectors.area_filter_choices(actor=request.user))
        if not id_form.is_valid():
            page = KeysetPage([], None, None, 0, False)
            return _list_page(request, {"form": form, "id_form": id_form, "page": page}, 400)
        qs = selectors.household_find_by_id_number(
            actor=request.user, number=id_form.cleaned_data["id_number"]
        )
        items = list(_with_list_prefetches(qs)[: selectors.ID_SEARCH_CAP])
        page = KeysetPage(items, None, None, len(items), False)
        context = {"form": form, "id_form": IdNumberSearchForm(), "page": page, "by_id": True}
        return _list_page(request, context)


def _list_page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    context.setdefault("id_form", IdNumberSearchForm())
    context["can_edit"] = can(request.user, Can.EDIT_REGISTRY)
    response = render(request, "households/household_list.html", context, status=status)
    if request.method == "POST":
        response["Cache-Control"] = "no-store"
    return response


def _with_list_prefetches(qs: Any) -> Any:
    today = timezone.localdate()
    return qs.prefetch_related(
        Prefetch(
            "members",
            queryset=Member.objects.filter(status=Member.Status.ACTIVE).only(
                "id", "household_id", "name"
            ),
            to_attr="active_members",
        ),
        Prefetch("enrolments", queryset=_current_enrolments(today), to_attr="current"),
    )


def _current_enrolments(today: Any) -> Any:
    return (
        Enrolment.objects.filter(status=Enrolment.Status.APPROVED, start_date__lte=today)
        .exclude(end_date__lt=today)
        .select_related("category")
        .only("id", "household_id", "category__name", "category__sort_order")
    )


class HouseholdDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, household_id: str) -> HttpResponse:
        household = selectors.household_get(actor=request.user, household_id=household_id)
        log_access(
            actor=request.user,
            action=AccessLog.Action.VIEW_HOUSEHOLD,
            request=request,
            obj=household,
            household_id=household.pk,
        )
        members = list(selectors.household_detail_members(household=household))
        return render(
            request,
            "households/household_detail.html",
            {
                "household": household,
                "members": members,
                "enrolments": selectors.household_page_enrolments(
                    household=household, members=members
                ),
                "can_edit": can(request.user, Can.EDIT_REGISTRY),
                "can_apply": can(request.user, Can.APPLY_ENROLMENT),
                "can_decide": can(request.user, Can.DECIDE_ENROLMENT),
                "can_reveal": can(request.user, Can.REVEAL_ID_NUMBER),
                "reveal_form": RevealForm(),
                **household_facts.context(actor=request.user, household=household),
                **household_sections.context(actor=request.user, household=household),
            },
        )


class HouseholdHistoryView(LoginRequiredMixin, View):
    """The household's timeline: who changed what and when, one keyset page at a time."""

    def get(self, request: HttpRequest, household_id: str) -> HttpResponse:
        household, page = selectors.household_history(
            actor=request.user, household_id=household_id, after=request.GET.get("after")
        )
        log_access(
            actor=request.user,
            action=AccessLog.Action.VIEW_HOUSEHOLD,
            request=request,
            obj=household,
            household_id=household.pk,
            detail={"page": "history"},
        )
        return render(
            request, "households/household_history.html", {"household": household, "page": page}
        )


class HouseholdCreateView(LoginRequiredMixin, View):
    template = "households/household_form.html"

    def _forms(self, request: HttpRequest) -> tuple[HouseholdForm, MemberForm]:
        if not can(request.user, Can.EDIT_REGISTRY):
            raise PermissionDenied
        areas = selectors.area_choices_for_households(actor=request.user)
        data = request.POST if request.method == "POST" else None
        return (
            HouseholdForm(data, areas=areas, prefix="household"),
            MemberForm(data, prefix="head", with_relation=False),
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        household_form, head_form = self._forms(request)
        return render(request, self.template, {"form": household_form, "head_form": head_form})

    def post(self, request: HttpRequest) -> HttpResponse:
        household_form, head_form = self._forms(request)
        if household_form.is_valid() & head_form.is_valid():
            data = household_form.cleaned_data
            try:
                with clashes_recorded(actor=request.user, request=request):
                    household = services.household_create(
                        actor=request.user,
                        area=data["area"],
                        address=data["address"],
                        phone=data["phone"],
                        note=data["note"],
                        head=head_form.service_data(),
                    )
            except RateLimitedError as error:
                return rate_limited(request, error)
            except DomainError as error:
                _split_errors(error, household_form, head_form)
            else:
                messages.success(request, _("家庭档案已登记。"))
                return redirect("households:detail", household_id=household.uuid)
        return render(
            request, self.template, {"form": household_form, "head_form": head_form}, status=400
        )


def _split_errors(error: Any, household_form: HouseholdForm, head_form: MemberForm) -> None:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            target = household_form if field in household_form.fields else head_form
            target.add_error(field if field in target.fields else None, messages_)
    else:
        add_service_errors(household_form, error)


class HouseholdEditView(LoginRequiredMixin, View):
    template = "households/household_edit.html"

    def get(self, request: HttpRequest, household_id: str) -> HttpResponse:
        household = selectors.household_get_for_edit(actor=request.user, household_id=household_id)
        form = HouseholdForm(
            initial=HouseholdForm.initial_for(household), areas=self._areas(request)
        )
        return render(request, self.template, {"form": form, "household": household})

    def post(self, request: HttpRequest, household_id: str) -> HttpResponse:
        household = selectors.household_get_for_edit(actor=request.user, household_id=household_id)
        form = HouseholdForm(request.POST, areas=self._areas(request))
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                services.household_update(
                    actor=request.user,
                    household=household,
                    data=data,
                    expected_version=form.cleaned_data["version"],
                )
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("家庭信息已保存。"))
                return redirect("households:detail", household_id=household.uuid)
        return render(request, self.template, {"form": form, "household": household}, status=400)

    def _areas(self, request: HttpRequest) -> Any:
        return selectors.area_choices_for_households(actor=request.user)


class MemberAddView(LoginRequiredMixin, View):
    template = "households/member_form.html"

    def get(self, request: HttpRequest, household_id: str) -> HttpResponse:
        household = selectors.household_get_for_edit(actor=request.user, household_id=household_id)
        return render(request, self.template, {"form": MemberForm(), "household": household})

    def post(self, request: HttpRequest, household_id: str) -> HttpResponse:
        household = selectors.household_get_for_edit(actor=request.user, household_id=household_id)
        form = MemberForm(request.POST)
        if form.is_valid():
            try:
                with clashes_recorded(actor=request.user, request=request):
                    services.member_add(
                        actor=request.user, household=household, data=form.service_data()
                    )
            except RateLimitedError as error:
                return rate_limited(request, error)
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("家庭成员已添加。"))
                return redirect("households:detail", household_id=household.uuid)
        return render(request, self.template, {"form": form, "household": household}, status=400)


class MemberEditView(LoginRequiredMixin, View):
    template = "households/member_form.html"

    def get(self, request: HttpRequest, member_id: str) -> HttpResponse:
        member = selectors.member_get_for_edit(actor=request.user, member_id=member_id)
        form = MemberForm(initial=MemberForm.initial_for(member), editing=True)
        return render(
            request, self.template, {"form": form, "household": member.household, "member": member}
        )

    def post(self, request: HttpRequest, member_id: str) -> HttpResponse:
        member = selectors.member_get_for_edit(actor=request.user, member_id=member_id)
        form = MemberForm(request.POST, editing=True)
        if form.is_valid():
            try:
                with clashes_recorded(actor=request.user, request=request):
                    services.member_update(
                        actor=request.user,
                        member=member,
                        data=form.service_data(),
                        expected_version=form.cleaned_data["version"],
                    )
            except RateLimitedError as error:
                return rate_limited(request, error)
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("成员信息已保存。"))
                return redirect("households:detail", household_id=member.household.uuid)
        return render(
            request,
            self.template,
            {"form": form, "household": member.household, "member": member},
            status=400,
        )


class MemberRevealView(LoginRequiredMixin, View):
    """POST only: a reveal is recorded in the access log, so it is never a plain GET."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, member_id: str) -> HttpResponse:
        member = selectors.member_get(actor=request.user, member_id=member_id)
        if not can(request.user, Can.REVEAL_ID_NUMBER):
            raise PermissionDenied
        form = RevealForm(request.POST)
        number, status = None, 400
        if form.is_valid():
            try:
                number = services.member_reveal_id_number(
                    actor=request.user,
                    member=member,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
                status = 200
            except ValidationError as error:
                add_service_errors(form, error)
        response = render(
            request,
            "households/member_reveal.html",
            {"member": member, "number": number, "form": form},
            status=status,
        )
        response["Cache-Control"] = "no-store"
        return response


class EnrolmentApplyView(LoginRequiredMixin, View):
    template = "households/enrolment_apply.html"

    def _form(self, request: HttpRequest, household: Any, data: Any = None) -> EnrolmentApplyForm:
        if not can(request.user, Can.APPLY_ENROLMENT):
            raise PermissionDenied
        members = household.members.filter(status=Member.Status.ACTIVE).order_by("created_at")
        return EnrolmentApplyForm(
            data, members=members, initial={"start_date": timezone.localdate()}
        )

    def get(self, request: HttpRequest, household_id: str) -> HttpResponse:
        household = selectors.household_get(actor=request.user, household_id=household_id)
        form = self._form(request, household)
        return render(request, self.template, {"form": form, "household": household})

    def post(self, request: HttpRequest, household_id: str) -> HttpResponse:
        household = selectors.household_get(actor=request.user, household_id=household_id)
        form = self._form(request, household, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.enrolment_apply(
                    actor=request.user,
                    household=household,
                    category=data["category"],
                    member=data["member"],
                    members=list(data["members"]),
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    monthly_amount=data["monthly_amount"],
                    review_due=data["review_due"],
                    reason=data["reason"],
                )
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("救助申请已提交，等待区民政局审批。"))
                return redirect("households:detail", household_id=household.uuid)
        return render(request, self.template, {"form": form, "household": household}, status=400)
