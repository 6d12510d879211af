"""Pages of case work. Parse → access through a selector → one service → render/redirect."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from access.capabilities import Can, can
from cases import photos, selectors, services
from cases.forms import (
    HardshipAlertForm,
    MemberChangeForm,
    MemberChangeFormSet,
    NeedFormSet,
    ReassignForm,
    ServiceActivityForm,
    TierRuleForm,
    VisitForm,
    VisitPhotoForm,
)
from cases.labels import url_maker
from cases.needs import needs_list_available
from cases.panels import visit_sections, worklist_alerts, worklist_sections
from cases.predicates import CATALOGUE
from cases.rule_words import describe, predicate_label
from core.errors import ApplicationError
from core.forms import add_service_errors
from households.models import Household, Member

DomainError = (ValidationError, ApplicationError)


def _messages_from(request: HttpRequest, error: Any) -> None:
    if isinstance(error, ApplicationError):
        messages.error(request, error.message)
    else:
        messages.error(request, " ".join(error.messages))


# ---- the worklist ----------------------------------------------------------------------


class WorklistView(LoginRequiredMixin, View):
    """The social worker's start page: who to visit next."""

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        work = selectors.worklist(actor=request.user, today=today)
        summary = selectors.service_monthly_summary(
            actor=request.user, month=today, mine_only=work.mine_only
        )
        _label_rows(work)
        context = {
            "work": work,
            "summary": summary,
            "today": today,
            "can_register": can(request.user, Can.LOG_VISIT),
            **worklist_alerts.context(actor=request.user, today=today),
            **worklist_sections.context(actor=request.user, today=today),
        }
        return render(request, "cases/worklist.html", context)


class OfflineStateView(View):
    """What the device needs to work without a signal (static/js/zhulian-store.js, sw.js):
    a fresh CSRF token for sending the outbox, and the worker's caseload pages to keep."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return JsonResponse(
                {"login": redirect_to_login(reverse("cases:worklist")).url}, status=401
            )
        # The worklist itself is kept when it is opened (sw.js); these are the pages it links to.
        pages = []
        if can(request.user, Can.LOG_VISIT):
            work = selectors.worklist(actor=request.user, today=timezone.localdate())
            visit_url, detail_url = url_maker("cases:visit_log"), url_maker("households:detail")
            for _key, _total, rows in work.sections:
                for row in rows:
                    pages += [detail_url(row.household.uuid), visit_url(row.household.uuid)]
        response = JsonResponse(
            {
                "csrf": get_token(request),
                "user": str(request.user.pk),
                "pages": list(dict.fromkeys(pages)),
                "keep_days": settings.OFFLINE_KEEP_DAYS,
            }
        )
        response["Cache-Control"] = "no-store"
        return response


def _label_rows(work: selectors.Worklist) -> None:
    """Each row's links, labels and dates, made once here rather than by template tags per row
    (templates/cases/_worklist_row.html shows them).

    The strings are the template's own msgids, so their translations are unchanged.
    """
    visit_url, detail_url = url_maker("cases:visit_log"), url_maker("households:detail")
    no_head, unassigned = _("（未指定户主）"), _("未分配")
    visit_label = _("记录走访：%(name)s")  # translated once a page, not once a row
    late: dict[int, str] = {}
    for _key, _total, rows in work.sections:
        for row in rows:
            household = row.household
            head = household.head.name if household.head_id else ""
            row.visit_url, row.detail_url = visit_url(household.uuid), detail_url(household.uuid)
            row.name = head or no_head
            row.visit_label = visit_label % {"name": head or household.address}
            row.due_text = row.due.isoformat()
            days = row.days_overdue
            if days not in late:
                late[days] = ngettext("逾期 %(days)s 天", "逾期 %(days)s 天", days) % {"days": days}
            row.late_text = late[days]
            row.last_text = (
                timezone.localtime(row.last_contact).date().isoformat() if row.last_contact else ""
            )
            row.assignee_text = str(row.assignee) if row.assignee_id else unassigned


# ---- visits ----------------------------------------------------------------------------


def wants_json(request: HttpRequest) -> bool:
    """The visit form's script sends with `Accept: application/json` (static/js/visit-form.js)."""
    return "application/json" in request.headers.get("Accept", "")


class VisitLogView(LoginRequiredMixin, View):
    template = "cases/visit_form.html"

    def handle_no_permission(self) -> HttpResponse:
        """A visit sent after the session ended: the device keeps its draft, and the login
        page says so and comes back here (where the draft is restored)."""
        request = self.request
        if request.user.is_authenticated or request.method != "POST":
            return super().handle_no_permission()
        login_url = redirect_to_login(request.path).url + "&expired=1"
        if wants_json(request):
            return JsonResponse({"login": login_url}, status=401)
        return redirect(login_url)

    def _context(self, request: HttpRequest, household: Household) -> dict[str, Any]:
        members = selectors.household_active_members(household=household)
        alerts = selectors.household_open_alerts(household=household)
        data = request.POST if request.method == "POST" else None
        form = VisitForm(data, has_alerts=bool(alerts), initial=VisitForm.initial_now())
        formset = MemberChangeFormSet(
            data, prefix="m", initial=[MemberChangeForm.initial_for(m) for m in members]
        )
        needs = NeedFormSet(data, prefix="n") if needs_list_available() else None
        return {
            "household": household,
            "form": form,
            "formset": formset,
            "needs": needs,
            "members": members,
            "member_forms": list(zip(members, formset.forms, strict=False)),
            "alerts": alerts,
        }

    def _render(self, request: HttpRequest, context: dict[str, Any], status: int = 200) -> Any:
        # The open follow-up is read only for a page shown: a visit logged completes it.
        context["followup"] = selectors.household_open_followup(household=context["household"])
        return render(request, self.template, context, status=status)

    def get(self, request: HttpRequest, household_id: str) -> HttpResponse:
        household = selectors.household_get_for_visit(actor=request.user, household_id=household_id)
        return self._render(request, self._context(request, household))

    def post(self, request: HttpRequest, household_id: str) -> HttpResponse:
        household = selectors.household_get_for_visit(actor=request.user, household_id=household_id)
        context = self._context(request, household)
        form, formset, needs = context["form"], context["formset"], context["needs"]
        if form.is_valid() & formset.is_valid() & (needs is None or needs.is_valid()):
            try:
                visit = services.visit_log(
                    actor=request.user, household=household, **_visit_input(context)
                )
            except DomainError as error:
                add_service_errors(form, error)
            else:
                return _after_visit(request, household, visit)
        if wants_json(request):
            errors = {**form.errors, **{f"m-{i}": f.errors for i, f in enumerate(formset.forms)}}
            return JsonResponse({"errors": {k: v for k, v in errors.items() if v}}, status=400)
        return self._render(request, context, status=400)


def _visit_input(context: dict[str, Any]) -> dict[str, Any]:
    """visit_log's arguments from the valid visit form and its member and need formsets."""
    form, needs = context["form"], context["needs"]
    return {
        "method": form.cleaned_data["method"],
        "visited_at": form.visited_at(),
        "companions": form.cleaned_data["companions"],
        "findings": form.findings(),
        "needs_noted": form.cleaned_data["needs_noted"],
        "member_changes": _member_changes(context["members"], context["formset"]),
        "needs": [n for n in (f.need() for f in needs.forms) if n] if needs else [],
        "resolve_alerts": form.cleaned_data.get("resolve_alerts", False),
        "client_id": form.cleaned_data.get("client_id"),
        "member_bases": _member_bases(context["members"], context["formset"]),
    }


def _member_bases(members: list[Member], formset: Any) -> dict[int, dict[str, Any]]:
    by_uuid = {m.uuid: m for m in members}
    bases = {}
    for form in formset.forms:
        member = by_uuid.get(form.cleaned_data.get("member"))
        state = form.base_state()
        if member is not None and state is not None:
            bases[member.pk] = state
    return bases


def _member_changes(members: list[Member], formset: Any) -> list[tuple[Member, dict[str, Any]]]:
    by_uuid = {m.uuid: m for m in members}
    changes = []
    for form in formset.forms:
        member = by_uuid.get(form.cleaned_data.get("member"))
        if member is None:
            raise ValidationError(_("成员信息已变化，请刷新页面后重新填写。"))
        changes.append((member, form.changes()))
    return changes


def _after_visit(request: HttpRequest, household: Household, visit: Any) -> HttpResponse:
    """The same answer for a visit stored now and for one sent again (stored once)."""
    if visit.conflicts:
        url = reverse("cases:visit_conflicts", kwargs={"visit_id": visit.uuid})
        messages.warning(request, _("走访已记录，但部分家庭信息已被他人修改，请逐项确认。"))
    else:
        url = reverse("households:detail", kwargs={"household_id": household.uuid})
        _visit_saved_message(request, household)
    if wants_json(request):
        return JsonResponse(
            {"visit": str(visit.uuid), "replayed": visit.replayed, "url": url},
            status=200 if visit.replayed else 201,
        )
    return redirect(url)


def _visit_saved_message(request: HttpRequest, household: Household) -> None:
    followup = selectors.household_open_followup(household=household)
    if followup is not None:
        messages.success(
            request,
            _("走访已记录。下次跟进：%(due)s（%(tier)s类）。")
            % {"due": followup.due.isoformat(), "tier": followup.tier},
        )
    else:
        messages.success(request, _("走访已记录。"))


class VisitDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, visit_id: str) -> HttpResponse:
        visit = selectors.visit_get(actor=request.user, visit_id=visit_id)
        context = {
            "visit": visit,
            "photos": selectors.visit_photos(visit=visit),
            "can_add_photo": can(request.user, Can.LOG_VISIT),
            **visit_sections.context(actor=request.user, visit=visit),
        }
        return render(request, "cases/visit_detail.html", context)


class VisitPhotoAddView(LoginRequiredMixin, View):
    """Attach a photo (housing, a document) to a visit, from the phone's camera."""

    template = "cases/visit_photo_form.html"

    def _visit(self, request: HttpRequest, visit_id: str) -> Any:
        visit = selectors.visit_get(actor=request.user, visit_id=visit_id)
        if not can(request.user, Can.LOG_VISIT):
            raise PermissionDenied
        return visit

    def get(self, request: HttpRequest, visit_id: str) -> HttpResponse:
        visit = self._visit(request, visit_id)
        form = VisitPhotoForm(initial={"kind": "housing"})
        return render(request, self.template, {"visit": visit, "form": form})

    def post(self, request: HttpRequest, visit_id: str) -> HttpResponse:
        visit = self._visit(request, visit_id)
        form = VisitPhotoForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                photos.visit_photo_add(
                    actor=request.user,
                    visit=visit,
                    upload=form.cleaned_data["photo"],
                    kind=form.cleaned_data["kind"],
                )
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("照片已保存。"))
                return redirect("cases:visit_detail", visit_id=visit.uuid)
        return render(request, self.template, {"visit": visit, "form": form}, status=400)


class VisitPhotoView(LoginRequiredMixin, View):
    """A photo's bytes, after the scope check; every view is logged, nothing is cached."""

    def get(self, request: HttpRequest, photo_id: str) -> HttpResponse:
        photo = selectors.visit_photo_get(actor=request.user, photo_id=photo_id)
        photos.visit_photo_view_record(actor=request.user, photo=photo, request=request)
        response = FileResponse(photo.file.open("rb"), content_type="image/jpeg")
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


# ---- hardship alerts -------------------------------------------------------------------


class VisitConflictsView(LoginRequiredMixin, View):
    """Household changes typed offline that met someone else's change: settled field by field."""

    template = "cases/visit_conflicts.html"

    def _visit(self, request: HttpRequest, visit_id: str) -> Any:
        visit = selectors.visit_get(actor=request.user, visit_id=visit_id)
        if visit.worker_id != request.user.pk:
            raise PermissionDenied
        return visit

    def _render(self, request: HttpRequest, visit: Any, status: int = 200) -> HttpResponse:
        rows = [
            {
                "index": i,
                "conflict": c,
                "mine": services.conflict_display(c, "mine"),
                "theirs": services.conflict_display(c, "theirs"),
                "base": services.conflict_display(c, "base"),
                "choice": request.POST.get(f"c{i}", ""),
            }
            for i, c in enumerate(visit.conflicts)
        ]
        return render(request, self.template, {"visit": visit, "rows": rows}, status=status)

    def get(self, request: HttpRequest, visit_id: str) -> HttpResponse:
        visit = self._visit(request, visit_id)
        if not visit.conflicts:
            return redirect("households:detail", household_id=visit.household.uuid)
        return self._render(request, visit)

    def post(self, request: HttpRequest, visit_id: str) -> HttpResponse:
        visit = self._visit(request, visit_id)
        choices = [request.POST.get(f"c{i}") for i in range(len(visit.conflicts))]
        if any(choice not in ("mine", "theirs") for choice in choices):
            messages.error(request, _("请为每一项选择保留哪个值。"))
            return self._render(request, visit, status=400)
        keep_mine = {i for i, choice in enumerate(choices) if choice == "mine"}
        try:
            services.visit_conflicts_settle(actor=request.user, visit=visit, keep_mine=keep_mine)
        except DomainError as error:
            _messages_from(request, error)
            return self._render(request, visit, status=400)
        messages.success(request, _("冲突已处理，家庭档案已更新。"))
        return redirect("households:detail", household_id=visit.household.uuid)


class HardshipAlertCreateView(LoginRequiredMixin, View):
    template = "cases/hardship_alert_form.html"

    def get(self, request: HttpRequest, household_id: str) -> HttpResponse:
        household = selectors.household_get_for_visit(actor=request.user, household_id=household_id)
        form = HardshipAlertForm(initial={"occurred_on": timezone.localdate()})
        return render(request, self.template, {"form": form, "household": household})

    def post(self, request: HttpRequest, household_id: str) -> HttpResponse:
        household = selectors.household_get_for_visit(actor=request.user, household_id=household_id)
        form = HardshipAlertForm(request.POST)
        if form.is_valid():
            try:
                services.hardship_alert_record(
                    actor=request.user, household=household, **form.cleaned_data
                )
            except DomainError as error:
                add_service_errors(form, error)
            else:
                return _after_alert(request, household)
        return render(request, self.template, {"form": form, "household": household}, status=400)


def _after_alert(request: HttpRequest, household: Household) -> HttpResponse:
    followup = selectors.household_open_followup(household=household)
    due = followup.due.isoformat() if followup else "—"
    messages.success(
        request, _("急难情况已记录，该户列为A类，请于 %(due)s 前跟进。") % {"due": due}
    )
    return redirect("households:detail", household_id=household.uuid)


class HardshipAlertResolveView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, alert_id: str) -> HttpResponse:
        alert = selectors.hardship_alert_get_for_edit(actor=request.user, alert_id=alert_id)
        try:
            services.hardship_alert_resolve(actor=request.user, alert=alert)
        except DomainError as error:
            _messages_from(request, error)
        else:
            messages.success(request, _("急难标记已解除。"))
        return redirect("households:detail", household_id=alert.household.uuid)


# ---- street staff: overdue follow-ups, reassignment ------------------------------------


class OverdueView(LoginRequiredMixin, View):
    """Street staff's working list of overdue follow-ups: counts by community and worker, then
    the oldest rows, with the follow-up ledger's filters kept (a drill-down lands here) and
    reassignment one by one or of a selection."""

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        community = request.GET.get("community", "")
        groups = selectors.overdue_by_community_and_worker(actor=request.user, today=today)
        try:
            found = selectors.overdue_followups(
                actor=request.user, today=today, filters=request.GET, community=community
            )
        except ValidationError:
            found = selectors.OverdueRows(rows=[], total=0, filters={})
        can_reassign = can(request.user, Can.REASSIGN)
        workers = selectors.street_workers(actor=request.user) if can_reassign else []
        for row in found.rows:
            row.candidates = selectors.candidates_for(row.household.area_code, workers)
            row.options = _worker_options(row.candidates, row.assignee_id)
        context = _overdue_context(request, found, can_reassign=can_reassign)
        names = {g.code: g.name for g in groups}
        context.update(
            groups=groups,
            worker_options=_worker_options(workers, None),
            today=today,
            community_name=names.get(community, ""),
        )
        return render(request, "cases/overdue.html", context)


def _worker_options(workers: list[Any], selected: int | None) -> str:
    """A row's <option>s, written here: fifty rows of a street's workers each were most of
    the page's time as template loops."""
    return format_html_join(
        "",
        '<option value="{}"{}>{} · {}</option>',
        (
            (w.pk, mark_safe(" selected") if w.pk == selected else "", w, w.area.name)
            for w in workers
        ),
    )


def _overdue_context(
    request: HttpRequest, found: selectors.OverdueRows, *, can_reassign: bool
) -> dict[str, Any]:
    """The list's kept filters, and the follow-up ledger (export) of the same rows."""
    kept = QueryDict(mutable=True)
    kept.update(found.filters)
    community = request.GET.get("community", "")
    if community.isdigit():
        kept["community"] = community
    export = QueryDict(mutable=True)
    export.update({**found.filters, "overdue": "true"})
    if community.isdigit() and "area" not in found.filters:
        export["area"] = community.ljust(12, "0")
    return {
        "found": found,
        "rows": found.rows,
        "can_reassign": can_reassign,
        "community": community,
        "filtered": bool(kept),
        "here": request.get_full_path(),
        "export_url": f"{reverse('ledgers:rows', args=['followups'])}?{export.urlencode()}",
    }


class FollowUpReassignView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, followup_id: str) -> HttpResponse:
        followup = selectors.followup_get_for_reassign(actor=request.user, followup_id=followup_id)
        form = ReassignForm(
            request.POST, workers=selectors.workers_qs_visible_to(actor=request.user)
        )
        if not form.is_valid():
            messages.error(request, _("请选择本街道的一名社工。"))
        else:
            try:
                services.followup_reassign(
                    actor=request.user, followup=followup, assignee=form.cleaned_data["assignee"]
                )
            except DomainError as error:
                _messages_from(request, error)
            else:
                messages.success(
                    request,
                    _("已改派给 %(name)s。") % {"name": form.cleaned_data["assignee"]},
                )
        return redirect(_safe_next(request, "cases:overdue"))


class FollowUpBulkReassignView(LoginRequiredMixin, View):
    """The ticked follow-ups of the working list, given to one worker: all or none."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        followups = selectors.followups_get_for_reassign(
            actor=request.user, followup_ids=request.POST.getlist("followup")
        )
        form = ReassignForm(
            request.POST, workers=selectors.workers_qs_visible_to(actor=request.user)
        )
        if not form.is_valid():
            messages.error(request, _("请选择本街道的一名社工。"))
            return redirect(_safe_next(request, "cases:overdue"))
        assignee = form.cleaned_data["assignee"]
        try:
            services.followup_reassign_bulk(
                actor=request.user, followups=followups, assignee=assignee
            )
        except DomainError as error:
            _messages_from(request, error)
        else:
            messages.success(
                request,
                ngettext(
                    "已将 %(n)s 条跟进计划改派给 %(name)s。",
                    "已将 %(n)s 条跟进计划改派给 %(name)s。",
                    len(followups),
                )
                % {"n": len(followups), "name": assignee},
            )
        return redirect(_safe_next(request, "cases:overdue"))


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse(default)


# ---- tier rules (district admin) --------------------------------------------------------


class TierRuleListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        rules = list(selectors.tier_rule_list(actor=request.user))
        for rule in rules:
            rule.kind = predicate_label(rule.code)
            rule.words = describe(rule.code, rule.params or {})
        return render(request, "cases/tier_rule_list.html", {"rules": rules})


def _kinds(request: HttpRequest, status: int = 200) -> HttpResponse:
    """The kinds of rule to choose from, each with its default parameters in words."""
    kinds = [(c, p.label, describe(c, p.defaults())) for c, p in CATALOGUE.items()]
    return render(request, "cases/tier_rule_kinds.html", {"kinds": kinds}, status=status)


def _kind(code: str) -> str:
    if code not in CATALOGUE:
        raise Http404
    return code


class TierRuleCreateView(LoginRequiredMixin, View):
    """First the kind of rule (in words), then its form; 预览 shows the moves, 保存 saves."""

    template = "cases/tier_rule_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        selectors.tier_rule_list(actor=request.user)  # 403 for anyone but a district admin
        code = request.GET.get("code", "")
        if not code:
            return _kinds(request)
        form = TierRuleForm(code=_kind(code), initial=TierRuleForm.initial_new(code))
        return render(request, self.template, {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        selectors.tier_rule_list(actor=request.user)
        code = request.GET.get("code", "")
        if code not in CATALOGUE:
            return _kinds(request, status=400)
        form = TierRuleForm(request.POST, code=code)
        context: dict[str, Any] = {"form": form}
        if form.is_valid():
            try:
                if "preview" in request.POST:
                    context["moves"] = _preview(request, form)
                    return render(request, self.template, context)
                services.tier_rule_create(
                    actor=request.user, code=form.code, data=form.service_data()
                )
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("分层规则已新增，跟进计划将随即重新计算。"))
                return redirect("cases:tier_rules")
        return render(request, self.template, context, status=400)


def _preview(request: HttpRequest, form: TierRuleForm, rule: Any = None) -> Any:
    return selectors.tier_rule_preview(
        actor=request.user, code=form.code, data=form.service_data(), rule=rule
    )


class TierRuleEditView(LoginRequiredMixin, View):
    template = "cases/tier_rule_form.html"

    def get(self, request: HttpRequest, rule_id: str) -> HttpResponse:
        rule = selectors.tier_rule_get(actor=request.user, rule_id=rule_id)
        form = TierRuleForm(code=_kind(rule.code), initial=TierRuleForm.initial_for(rule))
        return render(request, self.template, {"form": form, "rule": rule})

    def post(self, request: HttpRequest, rule_id: str) -> HttpResponse:
        rule = selectors.tier_rule_get(actor=request.user, rule_id=rule_id)
        form = TierRuleForm(request.POST, code=_kind(rule.code))
        context: dict[str, Any] = {"form": form, "rule": rule}
        if form.is_valid():
            try:
                if "preview" in request.POST:
                    context["moves"] = _preview(request, form, rule)
                    return render(request, self.template, context)
                services.tier_rule_update(
                    actor=request.user,
                    rule=rule,
                    data=form.service_data(),
                    expected_version=form.cleaned_data["version"],
                )
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("分层规则已保存，跟进计划将随即重新计算。"))
                return redirect("cases:tier_rules")
        return render(request, self.template, context, status=400)


# ---- service statistics ----------------------------------------------------------------


class ServiceActivityListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        if not can(request.user, Can.VIEW_CASES):
            raise PermissionDenied
        today = timezone.localdate()
        month = _month_param(request.GET.get("month", ""), today)
        summary = selectors.service_monthly_summary(actor=request.user, month=month)
        first, last = summary["first"], summary["last"]
        activities = selectors.service_activity_list(
            actor=request.user, filters={"date_after": first, "date_before": last}
        )[:100]
        context = {
            "summary": summary,
            "activities": activities,
            "month": month,
            "can_record": can(request.user, Can.RECORD_ACTIVITY),
        }
        return render(request, "cases/activity_list.html", context)


def _month_param(value: str, today: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(f"{value}-01")
    except ValueError:
        return today


class ServiceActivityCreateView(LoginRequiredMixin, View):
    template = "cases/activity_form.html"

    def _form(self, request: HttpRequest, data: Any = None) -> ServiceActivityForm:
        if not can(request.user, Can.RECORD_ACTIVITY):
            raise PermissionDenied
        areas = selectors.area_choices_for_activities(actor=request.user)
        initial = {"date": timezone.localdate(), "area": request.user.area_id}
        return ServiceActivityForm(data, areas=areas, initial=initial)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template, {"form": self._form(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request, request.POST)
        if form.is_valid():
            try:
                services.service_activity_record(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("服务记录已保存。"))
                return redirect("cases:activities")
        return render(request, self.template, {"form": form}, status=400)
