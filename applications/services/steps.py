"""The steps after the window: the department's acceptance, the investigation, 公示, objections,
the decision and its written notice, and the move of a refused 低保 application."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from access.capabilities import Can, can
from applications import selectors
from applications.defaults import MOVES_AFTER_DIBAO
from applications.models import Application, ApplicationDocument, Investigation, Notice, Objection
from applications.services import _common
from applications.services._common import (
    add_workdays,
    locked,
    require_status,
    save,
)
from core.audit import audit
from core.errors import ApplicationError
from households.models import Area, Category
from reviews.selectors import standard_in_force

if TYPE_CHECKING:
    from households.models import User

S = Application.Status
ADULT_AGE = 18


def _check(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# ---- the department ------------------------------------------------------------------------


@transaction.atomic
def application_accept(*, actor: User, application: Application) -> Application:
    """受理: the investigation's clock starts (working days from today)."""
    _check(selectors.may_handle(actor, application))
    application = locked(application)
    require_status(application, S.RECEIVED)
    r = application.responsibility
    application.status = S.ACCEPTED
    application.accepted_on = _common.today()
    application.more_requested = ""
    application.investigation_due = add_workdays(
        application, application.accepted_on, r.investigate_days
    )
    application.decision_due = add_workdays(application, application.accepted_on, r.total_days)
    application.due_on = application.investigation_due
    fields = ["status", "accepted_on", "more_requested", "investigation_due", "decision_due"]
    return save(
        application,
        actor=actor,
        verb="application.accept",
        fields=[*fields, "due_on"],
        changes={"status": [S.RECEIVED, S.ACCEPTED]},
    )


@transaction.atomic
def application_request_more(*, actor: User, application: Application, text: str) -> Application:
    """补充材料: the application waits at the window; the acceptance limit still runs."""
    _check(selectors.may_handle(actor, application))
    if not text.strip():
        raise ValidationError({"text": _("请写明需要补充的材料。")})
    application = locked(application)
    require_status(application, S.RECEIVED)
    application.more_requested = text.strip()
    return save(
        application,
        actor=actor,
        verb="application.request_more",
        fields=["more_requested"],
        changes={"more_requested": application.more_requested},
    )


# ---- the investigation -----------------------------------------------------------------------


def _standard_for(category: str, area_code: str, day: dt.date) -> Decimal | None:
    """The line per-capita income is held against: the 低保 standard, the 特困 basic standard,
    or for 低边 and 支出型 the 低保 standard times the district's 低边 factor."""
    standard = standard_in_force(area_code=area_code, day=day)
    if standard is None or category == Category.Code.LINSHI:
        return None
    if category == Category.Code.TEKUN:
        return standard.tekun_basic
    if category in (Category.Code.DIBIAN, Category.Code.ZHICHU):
        return (standard.dibao * standard.dibian_factor).quantize(Decimal("0.01"))
    return standard.dibao


def per_capita(category: str, income: Decimal, rigid: Decimal, size: int) -> Decimal:
    """Monthly income per person; for 支出型, after the household's rigid spending."""
    counted = income - rigid if category == Category.Code.ZHICHU else income
    return (max(counted, Decimal(0)) / size).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _investigators(actor: User, application: Application, people: list[Any]) -> list[Any]:
    allowed = {
        u.pk: u
        for u in selectors.investigator_choices(actor=actor, household=application.household)
    }
    chosen = {p.pk for p in people}
    if len(chosen) < 2:
        raise ValidationError({"investigators": _("入户调查须由两名以上工作人员进行。")})
    if chosen - allowed.keys():
        raise ValidationError({"investigators": _("调查人员须为本户所在区域的工作人员。")})
    return [allowed[pk] for pk in chosen]


@transaction.atomic
def investigation_record(
    *, actor: User, application: Application, investigators: list[Any], data: dict[str, Any]
) -> Investigation:
    """Record the investigation visit: the first one starts the step (its clock stops), the
    household's means are held against the district's standard, and the people present
    confirm it by a signature drawn on the phone or by ticking that the paper form was signed.
    """
    _check(can(actor, Can.INVESTIGATE))
    application = locked(application)
    require_status(application, S.ACCEPTED, S.INVESTIGATING)
    people = _investigators(actor, application, investigators)
    if not data.get("signature") and not data.get("paper_signed"):
        raise ValidationError({"signature": _("须由在场人员签名，或勾选纸质调查表已签字。")})
    category = application.category_id
    investigation = Investigation(
        application=application,
        recorded_by=actor,
        visited_on=data["visited_on"],
        household_size=data["household_size"],
        monthly_income=data["monthly_income"],
        assets=data["assets"],
        rigid_spending=data.get("rigid_spending") or Decimal(0),
        findings=data.get("findings", ""),
        signature=data.get("signature", ""),
        paper_signed=bool(data.get("paper_signed")),
    )
    if investigation.household_size < 1:
        raise ValidationError({"household_size": _("共同生活家庭成员人数至少为 1。")})
    investigation.per_capita_income = per_capita(
        category,
        investigation.monthly_income,
        investigation.rigid_spending,
        investigation.household_size,
    )
    investigation.standard_amount = _standard_for(
        category, application.area_code, investigation.visited_on
    )
    investigation.full_clean(exclude=["investigators"])
    investigation.save()
    investigation.investigators.set(people)
    _start_investigation(actor, application, investigation.visited_on)
    audit(
        actor=actor,
        verb="application.investigate",
        obj=investigation,
        household_id=application.household_id,
        changes={"investigators": sorted(p.pk for p in people)},
    )
    return investigation


def _start_investigation(actor: User, application: Application, day: dt.date) -> None:
    if application.status == S.INVESTIGATING:
        return
    application.status = S.INVESTIGATING
    application.investigation_started_on = min(day, _common.today())
    application.due_on = application.decision_due
    save(
        application,
        actor=actor,
        verb="application.investigation_start",
        fields=["status", "investigation_started_on", "due_on"],
        changes={"status": [S.ACCEPTED, S.INVESTIGATING]},
    )


# ---- 公示 --------------------------------------------------------------------------------------


def needs_notice(application: Application, day: dt.date) -> bool:
    """Whether the application is publicised: its category is, and the applicant is of age
    (a minor's application is never put up)."""
    if not application.responsibility.notice_required:
        return False
    return application.applicant.age_on(day) >= ADULT_AGE


@transaction.atomic
def notice_publish(
    *, actor: User, community: Area, applications: list[Application], hotline: str
) -> Notice:
    """Put up one community's notice for the period: the applications go to 公示 for the days
    their list sets, and the notice is down again when the last of those days has passed."""
    _check(can(actor, Can.RUN_STREET_STEPS))
    if not applications:
        raise ValidationError({"applications": _("请选择要公示的申请。")})
    if not hotline.strip():
        raise ValidationError({"hotline": _("请填写监督电话。")})
    start = _common.today()
    ready = {a.pk for a in selectors.publishable(actor=actor, community=community)}
    rows = [locked(a) for a in applications]
    for a in rows:
        if a.pk not in ready or not needs_notice(a, start):
            raise ApplicationError(_("申请 %(r)s 不能列入本社区的公示。") % {"r": a.reference})
    days = max(a.responsibility.notice_days for a in rows)
    notice = Notice(
        community=community,
        area_code=community.prefix,
        start=start,
        end=start + dt.timedelta(days=days - 1),
        hotline=hotline.strip(),
        published_by=actor,
    )
    notice.full_clean()
    notice.save()
    notice.applications.set(rows)
    for a in rows:
        a.status = S.PUBLICISED
        a.notice_start, a.notice_end = notice.start, notice.end
        save(
            a,
            actor=actor,
            verb="application.publicise",
            fields=["status", "notice_start", "notice_end"],
            changes={"notice": str(notice.uuid)},
        )
    return notice


@transaction.atomic
def objection_record(*, actor: User, application: Application, text: str) -> Objection:
    """An objection during 公示 sends the application back to investigation, off the notice."""
    _check(can(actor, Can.RUN_STREET_STEPS))
    if not text.strip():
        raise ValidationError({"text": _("请填写异议内容。")})
    application = locked(application)
    require_status(application, S.PUBLICISED)
    objection = Objection.objects.create(
        application=application, text=text.strip(), recorded_by=actor
    )
    for notice in application.notices.all():
        notice.applications.remove(application)
    application.status = S.INVESTIGATING
    application.notice_start = application.notice_end = None
    save(
        application,
        actor=actor,
        verb="application.objection",
        fields=["status", "notice_start", "notice_end"],
        changes={"status": [S.PUBLICISED, S.INVESTIGATING]},
    )
    return objection


# ---- the decision ----------------------------------------------------------------------------


def _ready_for_decision(application: Application, day: dt.date) -> None:
    if application.status == S.PUBLICISED:
        if application.notice_end is not None and application.notice_end >= day:
            raise ApplicationError(_("公示期未满，不能作出决定。"))
        return
    if application.status == S.INVESTIGATING and not needs_notice(application, day):
        return
    if application.status == S.ACCEPTED and not application.responsibility.investigation_required:
        return
    raise ApplicationError(
        _("该申请当前环节为“%(s)s”，还不能作出决定。") % {"s": application.get_status_display()}
    )


def _month_after(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


@transaction.atomic
def application_approve(
    *,
    actor: User,
    application: Application,
    monthly_amount: Decimal,
    start_month: dt.date | None = None,
    reason: str = "",
) -> Application:
    """Approve: the household's enrolment is created and approved with it, from the start
    month (by default the month after the approval), through the registry's own services so
    that its combination rules and review dates hold."""
    from households import services as registry

    _check(selectors.may_handle(actor, application))
    application = locked(application)
    day = _common.today()
    _ready_for_decision(application, day)
    start = (start_month or _month_after(day)).replace(day=1)
    category = application.category
    # The enrolment is applied for by whoever took the application at the window, and
    # decided by the approver when the registry lets them decide (the district admin; a
    # department's own user decides here, and the registry records the system).
    enrolment = registry.enrolment_apply(
        actor=application.received_by
        if can(application.received_by, Can.APPLY_ENROLMENT)
        else None,
        household=application.household,
        category=category,
        start_date=start,
        member=application.applicant if category.per_person else None,
        end_date=_linshi_end(start) if category.code == Category.Code.LINSHI else None,
        monthly_amount=monthly_amount,
        reason=application.reason or _("一门受理 %(r)s") % {"r": application.reference},
    )
    decider = actor if can(actor, Can.DECIDE_ENROLMENT) else None
    enrolment = registry.enrolment_approve(actor=decider, enrolment=enrolment, reason=reason)
    before = application.status
    application.status = S.APPROVED
    application.enrolment = enrolment
    application.decided_on, application.decided_by = day, actor
    application.decision_reason = reason
    application.start_month, application.monthly_amount = start, monthly_amount
    application.due_on = None
    fields = ["status", "enrolment", "decided_on", "decided_by", "decision_reason"]
    return save(
        application,
        actor=actor,
        verb="application.approve",
        fields=[*fields, "start_month", "monthly_amount", "due_on"],
        changes={"status": [before, S.APPROVED], "enrolment": enrolment.pk},
    )


def _linshi_end(start: dt.date) -> dt.date:
    return _month_after(start) - dt.timedelta(days=1)


@transaction.atomic
def application_reject(*, actor: User, application: Application, reason: str) -> Application:
    """Refuse, with written reasons: the written notice is due within the district's working
    days, and the clock shows it until it is recorded as sent."""
    _check(selectors.may_handle(actor, application))
    if not reason.strip():
        raise ValidationError({"reason": _("不予批准时必须写明理由。")})
    application = locked(application)
    day = _common.today()
    _ready_for_decision(application, day)
    before = application.status
    application.status = S.REJECTED
    application.decided_on, application.decided_by = day, actor
    application.decision_reason = reason.strip()
    application.rejection_notice_due = add_workdays(
        application, day, application.responsibility.reject_notice_days
    )
    application.due_on = application.rejection_notice_due
    fields = ["status", "decided_on", "decided_by", "decision_reason", "rejection_notice_due"]
    return save(
        application,
        actor=actor,
        verb="application.reject",
        fields=[*fields, "due_on"],
        changes={"status": [before, S.REJECTED]},
    )


@transaction.atomic
def rejection_notice_sent(*, actor: User, application: Application) -> Application:
    _check(selectors.may_handle(actor, application) or can(actor, Can.RUN_STREET_STEPS))
    application = locked(application)
    require_status(application, S.REJECTED)
    if application.rejection_notice_sent_on is not None:
        return application
    application.rejection_notice_sent_on = _common.today()
    application.due_on = None
    return save(
        application,
        actor=actor,
        verb="application.rejection_notice_sent",
        fields=["rejection_notice_sent_on", "due_on"],
        changes={},
    )


@transaction.atomic
def application_move(*, actor: User, application: Application, category: Category) -> Application:
    """A refused 低保 application goes on as 低边 or 支出型 without new paperwork: a new
    application, accepted at once, with the same applicant, consent and documents, and the
    investigation already done carried over."""
    _check(can(actor, Can.TAKE_APPLICATION))
    require_status(application, S.REJECTED)
    if application.category_id != Category.Code.DIBAO or category.code not in MOVES_AFTER_DIBAO:
        raise ValidationError({"category": _("只有未获批准的低保申请可以转为低边或支出型。")})
    responsibility = selectors.responsibility_for(
        household=application.household, category_code=category.code
    )
    if responsibility is None:
        raise ValidationError({"category": _("本区责任清单中还没有该类别。")})
    day = _common.today()
    moved = Application(
        household=application.household,
        applicant=application.applicant,
        area_code=application.area_code,
        category=category,
        responsibility=responsibility,
        department=responsibility.department,
        channel=application.channel,
        reason=application.reason,
        lookup_phone_hash=application.lookup_phone_hash,
        consent_given=True,
        consent_taken_by=application.consent_taken_by,
        consent_at=application.consent_at,
        received_by=actor,
        received_on=day,
        accept_due=day,
        accepted_on=day,
        moved_from=application,
        status=S.ACCEPTED,
    )
    moved.investigation_due = add_workdays(application, day, responsibility.investigate_days)
    moved.decision_due = add_workdays(application, day, responsibility.total_days)
    moved.due_on = moved.investigation_due
    from applications.services.intake import _save_new

    _save_new(moved)
    for document in application.documents.all():
        ApplicationDocument.objects.create(
            application=moved,
            household_id=document.household_id,
            kind=document.kind,
            file=document.file.name,
            content_type=document.content_type,
            size=document.size,
            uploaded_by=document.uploaded_by,
        )
    _carry_investigation(actor, application, moved)
    audit(
        actor=actor,
        verb="application.move",
        obj=moved,
        household_id=moved.household_id,
        changes={"from": str(application.uuid), "category": category.code},
    )
    return moved


def _carry_investigation(actor: User, source: Application, moved: Application) -> None:
    latest = source.investigations.order_by("-visited_on", "-id").first()
    if latest is None:
        return
    people = list(latest.investigators.all())
    copy = Investigation.objects.get(pk=latest.pk)
    copy.pk = None
    copy.id = None
    copy.uuid = Investigation._meta.get_field("uuid").default()
    copy.application = moved
    copy.per_capita_income = per_capita(
        moved.category_id, copy.monthly_income, copy.rigid_spending, copy.household_size
    )
    copy.standard_amount = _standard_for(moved.category_id, moved.area_code, copy.visited_on)
    copy.save()
    copy.investigators.set(people)
    _start_investigation(actor, moved, copy.visited_on)
