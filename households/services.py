"""Writes to the registry. Each is atomic, checks its rules, and leaves an audit event."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access.capabilities import Can, can
from access.scope import covers
from core.audit import audit, diff, log_access
from core.errors import ApplicationError, check_version
from core.models import AccessLog
from households import clashes, idnumber
from households.models import Area, Category, Enrolment, Household, Member
from households.signals import enrolments_approved

if TYPE_CHECKING:
    from django.http import HttpRequest

    from households.models import User

HOUSEHOLD_FIELDS = ["area", "address", "phone", "note", "worker"]
MEMBER_FIELDS = [
    "name",
    "relation",
    "phone",
    "disability_type",
    "disability_grade",
    "health",
    "illness",
    "has_caregiver",
    "labour_capacity",
    "employment",
    "schooling",
    "lives_alone",
    "monthly_income",
    "status",
]


def _require(actor: User | None, capability: Can) -> None:
    if actor is not None and not can(actor, capability):
        raise PermissionDenied


def _check_area(actor: User | None, area: Area) -> None:
    if area.level not in (Area.Level.COMMUNITY, Area.Level.GRID):
        raise ValidationError({"area": _("家庭应登记在社区或网格下。")})
    if actor is not None and not covers(actor, area.prefix):
        raise ValidationError({"area": _("所选区划不在您的管辖范围内。")})


# ---- identity numbers ------------------------------------------------------------------


def _claim_id_number(
    *, actor: User | None, member: Member, raw: str, exclude_pk: int | None = None
) -> None:
    """Validate a number, fill the member's id fields, and refuse one active elsewhere.

    A clash with a household out of the actor's scope is reported without a trace of it.
    """
    try:
        parsed = idnumber.parse(raw)
    except ValidationError as error:
        raise ValidationError({"id_number": error.messages}) from None
    if clashes.limit_reached(actor):
        raise clashes.ClashLimitError
    digest = idnumber.lookup_hash(parsed.number)
    holder = (
        Member.objects.filter(id_number_hash=digest, status=Member.Status.ACTIVE)
        .exclude(pk=exclude_pk)
        .select_related("household")
        .first()
    )
    if holder is not None:
        raise _clash(actor, holder, "id_number")
    member.id_number_cipher = idnumber.encrypt(parsed.number)
    member.id_number_hash = digest
    member.id_number_masked = parsed.masked
    member.birth_date = parsed.birth_date
    member.sex = parsed.sex


def _clash(actor: User | None, holder: Member, field: str) -> ValidationError:
    """The error for a number active in another member: named when the actor can see that
    household; otherwise anonymous, and an IdNumberClashError, which views log and rate-limit."""
    if actor is None or covers(actor, holder.household.area_code):
        message = _("该身份证号已登记为本辖区“%(address)s”家庭的在户成员“%(name)s”。") % {
            "address": holder.household.address,
            "name": holder.name,
        }
        return ValidationError({field: [message]})
    message = _(
        "该身份证号已登记为其他地区的在户成员，不能重复登记。请先核实该人员的户籍与居住情况。"
    )
    return clashes.IdNumberClashError(
        {field: [message]}, holder_household_id=holder.household_id, field=field
    )


def _save_member(member: Member, *, update_fields: list[str] | None = None) -> None:
    """Save, turning a lost race on the unique index into the same field error."""
    try:
        with transaction.atomic():
            if update_fields is None:
                member.save()
            else:
                member.save(update_fields=update_fields)
    except IntegrityError as error:
        if "member_one_active_per_id_number" in str(error):
            raise ValidationError(
                {"id_number": _("该身份证号已登记为其他在户成员，不能重复登记。")}
            ) from None
        if "member_one_active_head_per_household" in str(error):
            raise ValidationError({"relation": _one_head_message()}) from None
        raise


def _one_head_message() -> str:
    constraint = next(
        c for c in Member._meta.constraints if c.name == "member_one_active_head_per_household"
    )
    return str(constraint.violation_error_message)


def _head_error_on_relation(error: ValidationError) -> ValidationError:
    """The one-head rule is a constraint on the row, reported by full_clean() as a form-wide
    error; it belongs to the relation the worker chose."""
    if not hasattr(error, "error_dict"):
        return error
    form_wide = error.error_dict.get(NON_FIELD_ERRORS, [])
    heads = [e for e in form_wide if e.code == "one_head"]
    if heads:
        rest = [e for e in form_wide if e.code != "one_head"]
        error.error_dict["relation"] = [*error.error_dict.get("relation", []), *heads]
        if rest:
            error.error_dict[NON_FIELD_ERRORS] = rest
        else:
            del error.error_dict[NON_FIELD_ERRORS]
    return error


# ---- households and members ------------------------------------------------------------


@transaction.atomic
def household_create(
    *,
    actor: User | None,
    area: Area,
    address: str,
    head: dict[str, Any],
    phone: str = "",
    note: str = "",
    worker: User | None = None,
) -> Household:
    """Register a household together with its head (户主), who is its first member.

    A social worker registering a household in their own area becomes its responsible
    worker. Once committed, `households_registered` is sent, so the household reaches the
    worklist with its tier and first follow-up at once rather than after the nightly run.
    """
    _require(actor, Can.EDIT_REGISTRY)
    _check_area(actor, area)
    if worker is None and may_be_responsible(actor, area):
        worker = actor
    household = Household(
        area=area,
        area_code=area.prefix,
        address=address.strip(),
        phone=phone,
        note=note,
        worker=worker,
    )
    household.full_clean()
    household.save()
    head_member = member_add(
        actor=actor, household=household, data={**head, "relation": Member.Relation.HEAD}
    )
    household.head = head_member
    household.save(update_fields=["head"])
    audit(actor=actor, verb="household.create", obj=household, household_id=household.pk)
    announce_registered(actor=actor, household_ids=[household.pk])
    return household


def may_be_responsible(actor: User | None, area: Area) -> bool:
    """Whether a household registered in `area` by `actor` becomes the actor's to follow."""
    return (
        actor is not None
        and actor.role == actor.Role.SOCIAL_WORKER
        and actor.area_id is not None
        and area.prefix.startswith(actor.area.prefix)
    )


def announce_registered(*, actor: User | None, household_ids: list[int]) -> None:
    """Tell the apps that follow new households (cases), after commit. Only for a person's
    registration or import: a system load (demo data, the bench) is left to the nightly
    run."""
    if actor is None or not household_ids:
        return
    from households.signals import households_registered

    ids = list(household_ids)
    transaction.on_commit(
        lambda: households_registered.send(sender=Household, household_ids=ids, actor=actor)
    )


@transaction.atomic
def household_update(
    *,
    actor: User | None,
    household: Household,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> Household:
    _require(actor, Can.EDIT_REGISTRY)
    household = Household.objects.select_for_update().get(pk=household.pk)
    check_version(household, expected_version)
    fields = [name for name in HOUSEHOLD_FIELDS if name in data]
    before = {name: getattr(household, name) for name in fields}
    for name in fields:
        setattr(household, name, data[name])
    if "area" in data and data["area"] != before.get("area"):
        _check_area(actor, household.area)
        household.area_code = household.area.prefix
        fields.append("area_code")
    household.full_clean(exclude=["head"])
    changes = diff(household, before, [f for f in fields if f != "area_code"])
    if not changes:
        return household
    household.version += 1
    household.save(update_fields=[*fields, "version", "updated_at"])
    audit(
        actor=actor,
        verb="household.update",
        obj=household,
        household_id=household.pk,
        changes=changes,
    )
    return household


@transaction.atomic
def member_add(*, actor: User | None, household: Household, data: dict[str, Any]) -> Member:
    _require(actor, Can.EDIT_REGISTRY)
    Household.objects.select_for_update().filter(pk=household.pk).first()
    member = Member(household=household)
    for name in MEMBER_FIELDS:
        if name in data and data[name] is not None:
            setattr(member, name, data[name])
    errors: dict[str, list[str]] = {}
    clash: clashes.IdNumberClashError | None = None
    try:
        _claim_id_number(actor=actor, member=member, raw=data.get("id_number", ""))
    except clashes.IdNumberClashError as error:
        clash = error
        errors.update(error.message_dict)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        member.full_clean(exclude=["id_number_cipher"])
    except ValidationError as error:
        for field, messages in _head_error_on_relation(error).message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if clash is not None:
        raise clashes.IdNumberClashError(
            errors, holder_household_id=clash.holder_household_id, field=clash.field
        )
    if errors:
        raise ValidationError(errors)
    _save_member(member)
    audit(
        actor=actor,
        verb="member.add",
        obj=member,
        household_id=household.pk,
        changes={"name": member.name, "id_number": member.id_number_masked},
    )
    return member


@transaction.atomic
def member_update(
    *,
    actor: User | None,
    member: Member,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> Member:
    """Change a member. A new identity number is validated and checked like a new one."""
    _require(actor, Can.EDIT_REGISTRY)
    member = Member.objects.select_for_update().select_related("household").get(pk=member.pk)
    check_version(member, expected_version)
    fields = [name for name in MEMBER_FIELDS if name in data]
    before = {name: getattr(member, name) for name in fields}
    before["id_number_masked"] = member.id_number_masked
    for name in fields:
        setattr(member, name, data[name])
    raw = (data.get("id_number") or "").strip()
    id_fields: list[str] = []
    if raw and idnumber.lookup_hash(raw) != member.id_number_hash:
        _claim_id_number(actor=actor, member=member, raw=raw, exclude_pk=member.pk)
        id_fields = ["id_number_cipher", "id_number_hash", "id_number_masked", "birth_date", "sex"]
    elif (
        "status" in data
        and data["status"] == Member.Status.ACTIVE
        and before.get("status") != Member.Status.ACTIVE
    ):
        _claim_again(actor=actor, member=member)
    try:
        member.full_clean(exclude=["id_number_cipher"])
    except ValidationError as error:
        raise _head_error_on_relation(error) from None
    changes = diff(member, before, [*fields, "id_number_masked"])
    if not changes:
        return member
    member.version += 1
    _save_member(member, update_fields=[*fields, *id_fields, "version", "updated_at"])
    audit(
        actor=actor,
        verb="member.update",
        obj=member,
        household_id=member.household_id,
        changes=changes,
    )
    return member


def _reactivates(before: dict[str, Any], data: dict[str, Any]) -> bool:
    active = Member.Status.ACTIVE
    return data.get("status", active) == active and before.get("status", active) != active


def _claim_again(*, actor: User | None, member: Member) -> None:
    """A member moving back to active must not clash with another active holder."""
    if clashes.limit_reached(actor):
        raise clashes.ClashLimitError
    holder = (
        Member.objects.filter(id_number_hash=member.id_number_hash, status=Member.Status.ACTIVE)
        .exclude(pk=member.pk)
        .select_related("household")
        .first()
    )
    if holder is not None:
        raise _clash(actor, holder, "status")


REVEAL_REASON_MAX_LENGTH = 100


def member_reveal_id_number(
    *, actor: User, member: Member, reason: str, request: HttpRequest | None = None
) -> str:
    """The full identity number, for a user with the reveal permission and a reason (查看事由);
    every reveal is logged with its reason, which auditors search."""
    if not can(actor, Can.REVEAL_ID_NUMBER):
        raise PermissionDenied
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": [_("请填写查看事由。")]})
    if len(reason) > REVEAL_REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": [_("查看事由不能超过 %(n)s 个字。") % {"n": REVEAL_REASON_MAX_LENGTH}]}
        )
    number = idnumber.decrypt(member.id_number_cipher)
    log_access(
        actor=actor,
        action=AccessLog.Action.REVEAL_ID,
        request=request,
        obj=member,
        household_id=member.household_id,
        detail={"reason": reason},
    )
    return number


# ---- enrolments ------------------------------------------------------------------------

_LIVE = [Enrolment.Status.APPLIED, Enrolment.Status.APPROVED, Enrolment.Status.SUSPENDED]


def _overlapping(enrolment: Enrolment) -> Q:
    """Enrolments whose period meets this one's (an open end runs forever)."""
    condition = Q(end_date__isnull=True) | Q(end_date__gte=enrolment.start_date)
    if enrolment.end_date is not None:
        condition &= Q(start_date__lte=enrolment.end_date)
    return condition & Q(status__in=_LIVE) & ~Q(pk=enrolment.pk)


def _check_combinations(enrolment: Enrolment, covered: list[Member]) -> None:
    """The combinations that cannot hold at the same time, each with its own message."""
    same_time = Enrolment.objects.filter(_overlapping(enrolment))
    code = enrolment.category_id
    household_rows = same_time.filter(household_id=enrolment.household_id)
    if code in (Category.Code.DIBAO, Category.Code.DIBIAN):
        other = Category.Code.DIBIAN if code == Category.Code.DIBAO else Category.Code.DIBAO
        if household_rows.filter(category=other).exists():
            raise ValidationError(
                _("同一家庭不能同时享受低保和低边，请先终止现有的%(c)s认定。")
                % {"c": Category.Code(other).label}
            )
    repeatable = (Category.Code.DIBAO, Category.Code.DIBIAN, Category.Code.ZHICHU)
    if code in repeatable and household_rows.filter(category=code).exists():
        raise ValidationError(
            _("该家庭在此期间已有%(c)s申请或认定。") % {"c": Category.Code(code).label}
        )
    covered_ids = [m.pk for m in covered]
    if code == Category.Code.DIBAO:
        tekun_ids = set(
            same_time.filter(category=Category.Code.TEKUN, member_id__in=covered_ids).values_list(
                "member_id", flat=True
            )
        )
        if tekun_ids:
            names = "、".join(m.name for m in covered if m.pk in tekun_ids)
            raise ValidationError(
                _("%(names)s 已是特困供养人员，不能同时计入低保，请从覆盖成员中移除。")
                % {"names": names}
            )
    if code == Category.Code.TEKUN:
        dibao = same_time.filter(category=Category.Code.DIBAO, members__in=covered_ids)
        if dibao.exists():
            raise ValidationError(_("该成员已计入低保家庭的保障人数，不能同时认定为特困。"))
        if same_time.filter(category=code, member_id__in=covered_ids).exists():
            raise ValidationError(_("该成员在此期间已有特困申请或认定。"))


@transaction.atomic
def enrolment_apply(
    *,
    actor: User | None,
    household: Household,
    category: Category,
    start_date: dt.date,
    members: list[Member] | None = None,
    member: Member | None = None,
    end_date: dt.date | None = None,
    monthly_amount: Decimal = Decimal("0"),
    review_due: dt.date | None = None,
    reason: str = "",
) -> Enrolment:
    """Submit an application (申请). A district admin decides it with enrolment_approve/reject."""
    _require(actor, Can.APPLY_ENROLMENT)
    household = Household.objects.select_for_update().get(pk=household.pk)
    covered = _covered_members(household, category, member, members)
    enrolment = Enrolment(
        household=household,
        category=category,
        member=member if category.per_person else None,
        start_date=start_date,
        end_date=end_date,
        monthly_amount=monthly_amount,
        review_due=review_due,
        reason=reason,
        applied_by=actor,
    )
    if category.code == Category.Code.LINSHI and end_date is None:
        raise ValidationError({"end_date": _("临时救助必须填写终止日期。")})
    enrolment.full_clean()
    _check_combinations(enrolment, covered)
    enrolment.save()
    enrolment.members.set(covered)
    audit(
        actor=actor,
        verb="enrolment.apply",
        obj=enrolment,
        household_id=household.pk,
        changes={"category": category.code, "members": [m.pk for m in covered]},
    )
    return enrolment


def _covered_members(
    household: Household,
    category: Category,
    member: Member | None,
    members: list[Member] | None,
) -> list[Member]:
    active = {m.pk: m for m in household.members.filter(status=Member.Status.ACTIVE)}
    if category.per_person:
        if member is None or member.pk not in active:
            raise ValidationError({"member": _("特困按人认定，请选择本户一名在户成员。")})
        return [active[member.pk]]
    chosen = members if members else list(active.values())
    outside = [m.name for m in chosen if m.pk not in active]
    if outside:
        raise ValidationError(
            {"members": _("%(names)s 不是本户在户成员。") % {"names": "、".join(outside)}}
        )
    if not chosen:
        raise ValidationError({"members": _("请至少选择一名覆盖成员。")})
    return [active[m.pk] for m in chosen]


ENROLMENT_FIELDS = ["start_date", "end_date", "monthly_amount", "review_due", "reason"]


@transaction.atomic
def enrolment_update(
    *,
    actor: User | None,
    enrolment: Enrolment,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> Enrolment:
    """Amend an application while it awaits a decision, re-checking the combination rules."""
    _require(actor, Can.APPLY_ENROLMENT)
    Household.objects.select_for_update().filter(pk=enrolment.household_id).first()
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    check_version(enrolment, expected_version)
    if enrolment.status != Enrolment.Status.APPLIED:
        raise ApplicationError(
            _("只有待审批的申请可以修改，当前状态为“%(s)s”。")
            % {"s": enrolment.get_status_display()}
        )
    fields = [name for name in ENROLMENT_FIELDS if name in data]
    before = {name: getattr(enrolment, name) for name in fields}
    for name in fields:
        setattr(enrolment, name, data[name])
    if enrolment.category_id == Category.Code.LINSHI and enrolment.end_date is None:
        raise ValidationError({"end_date": _("临时救助必须填写终止日期。")})
    enrolment.full_clean()
    changes = diff(enrolment, before, fields)
    if not changes:
        return enrolment
    _check_combinations(enrolment, list(enrolment.members.all()))
    enrolment.version += 1
    enrolment.save(update_fields=[*fields, "version", "updated_at"])
    audit(
        actor=actor,
        verb="enrolment.update",
        obj=enrolment,
        household_id=enrolment.household_id,
        changes=changes,
    )
    return enrolment


# ---- decisions on an enrolment: one table ------------------------------------------------

# (status now, action) → status after. Every decision on an enrolment (approve, reject,
# suspend, end) goes through enrolment_transition: the same permission, lock, state check,
# version, audit and history for each, whether it comes from a page, the API or a bulk
# decision.
ENROLMENT_TRANSITIONS: dict[tuple[str, str], str] = {
    (Enrolment.Status.APPLIED, "approve"): Enrolment.Status.APPROVED,
    (Enrolment.Status.APPLIED, "reject"): Enrolment.Status.REJECTED,
    (Enrolment.Status.APPROVED, "suspend"): Enrolment.Status.SUSPENDED,
    (Enrolment.Status.APPROVED, "end"): Enrolment.Status.ENDED,
    (Enrolment.Status.SUSPENDED, "end"): Enrolment.Status.ENDED,
}
ENROLMENT_ACTIONS = tuple(dict.fromkeys(action for _status, action in ENROLMENT_TRANSITIONS))

# The actions that need a reason, and what to say when it is missing.
_REASON_REQUIRED = {
    "reject": gettext_lazy("不予批准时必须填写理由。"),
    "suspend": gettext_lazy("暂停救助时必须填写理由。"),
    "end": gettext_lazy("终止救助时必须填写理由。"),
}


@transaction.atomic
def enrolment_transition(
    *,
    actor: User | None,
    enrolment: Enrolment,
    action: str,
    reason: str = "",
    end_date: dt.date | None = None,
) -> Enrolment:
    """Decide an enrolment by `action`, to the status ENROLMENT_TRANSITIONS gives.

    Approving re-checks the combination rules against today's records, the household
    locked, and starts the review clock; ending sets the end date (`end_date`, today by
    default).
    """
    if action not in ENROLMENT_ACTIONS:
        raise ValueError(f"no enrolment action {action!r}")  # a caller's mistake, not input
    required = _REASON_REQUIRED.get(action)
    if required is not None and not reason.strip():
        raise ValidationError({"reason": str(required)})
    if action == "approve":
        Household.objects.select_for_update().filter(pk=enrolment.household_id).first()
        _check_combinations(enrolment, list(enrolment.members.all()))
    _require(actor, Can.DECIDE_ENROLMENT)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    to = ENROLMENT_TRANSITIONS.get((enrolment.status, action))
    if to is None:
        raise ApplicationError(
            _("当前状态为“%(s)s”，不能执行此操作。") % {"s": enrolment.get_status_display()}
        )
    fields = ["status", "decided_by", "decided_at", "decision_reason", "version", "updated_at"]
    if action == "end":
        end = end_date or timezone.localdate()
        if end < enrolment.start_date:
            raise ValidationError({"end_date": _("终止日期不能早于起始日期。")})
        enrolment.end_date = end
        fields.append("end_date")
    before = {"status": enrolment.status}
    enrolment.status = to
    enrolment.decided_by = actor
    enrolment.decided_at = timezone.now()
    enrolment.decision_reason = reason
    enrolment.version += 1
    enrolment.save(update_fields=fields)
    audit(
        actor=actor,
        verb=f"enrolment.{action}",
        obj=enrolment,
        household_id=enrolment.household_id,
        changes={**diff(enrolment, before, ["status"]), "reason": reason},
    )
    if action == "approve":
        # The review clock starts with the approval (kept by reviews, which listens).
        enrolments_approved.send(sender=Enrolment, enrolment_ids=[enrolment.pk])
        enrolment.refresh_from_db(fields=["review_due"])
    return enrolment


def enrolment_approve(*, actor: User | None, enrolment: Enrolment, reason: str = "") -> Enrolment:
    return enrolment_transition(actor=actor, enrolment=enrolment, action="approve", reason=reason)


def enrolment_reject(*, actor: User | None, enrolment: Enrolment, reason: str) -> Enrolment:
    return enrolment_transition(actor=actor, enrolment=enrolment, action="reject", reason=reason)


def enrolment_suspend(*, actor: User | None, enrolment: Enrolment, reason: str) -> Enrolment:
    return enrolment_transition(actor=actor, enrolment=enrolment, action="suspend", reason=reason)


def enrolment_end(
    *, actor: User | None, enrolment: Enrolment, reason: str, end_date: dt.date | None = None
) -> Enrolment:
    return enrolment_transition(
        actor=actor, enrolment=enrolment, action="end", reason=reason, end_date=end_date
    )


# A bulk decision covers at most this many applications: a page or four of the approvals list.
BULK_DECISION_MAX = 100


def household_label(household: Household) -> str:
    """How a message names a household: its head and address."""
    head = household.head.name if household.head_id else _("（未指定户主）")
    return _("%(head)s户（%(address)s）") % {"head": head, "address": household.address}


@transaction.atomic
def enrolment_decide_bulk(
    *, actor: User | None, enrolments: list[Enrolment], decision: str, reason: str
) -> list[Enrolment]:
    """Approve or reject several applications with one reason, all of them or none.

    Each goes through enrolment_transition, so each is checked, audited and
    kept in history exactly as a single decision is; the first that fails undoes the rest
    and names its household. Households are locked in id order, so two bulk decisions over
    overlapping selections cannot deadlock.
    """
    if decision not in ("approve", "reject"):
        raise ValidationError({"decision": _("请选择批准或不予批准。")})
    if not enrolments:
        raise ValidationError({"enrolment": _("请至少勾选一份申请。")})
    if decision == "reject" and not reason.strip():
        raise ValidationError({"reason": str(_REASON_REQUIRED["reject"])})
    if len(enrolments) > BULK_DECISION_MAX:
        raise ValidationError(
            {"enrolment": _("一次最多审批 %(n)s 份申请。") % {"n": BULK_DECISION_MAX}}
        )
    decided = []
    for enrolment in sorted(enrolments, key=lambda e: (e.household_id, e.pk)):
        try:
            decided.append(
                enrolment_transition(
                    actor=actor, enrolment=enrolment, action=decision, reason=reason
                )
            )
        except (ValidationError, ApplicationError) as error:
            raise ApplicationError(
                _("%(household)s：%(error)s 本次勾选的申请均未审批。")
                % {"household": household_label(enrolment.household), "error": _text(error)}
            ) from error
    return decided


def _text(error: ValidationError | ApplicationError) -> str:
    if isinstance(error, ApplicationError):
        return error.message
    return " ".join(error.messages)


@transaction.atomic
def id_number_clash_record(
    *,
    actor: User,
    request: HttpRequest | None,
    clash: clashes.IdNumberClashError | None,
    limited: bool,
) -> None:
    """The access-log trace of a clash answer (in the area of the household that holds the
    number, so that it is found by that household) and of a refusal for the limit."""
    if clash is not None:
        log_access(
            actor=actor,
            action=AccessLog.Action.ID_NUMBER_CLASH,
            request=request,
            household_id=clash.holder_household_id,
            detail={"field": clash.field},
        )
    if limited:
        log_access(
            actor=actor,
            action=AccessLog.Action.ID_NUMBER_CLASH_LIMITED,
            request=request,
            detail={"limit": settings.ID_CLASH_LIMIT, "window": settings.ID_CLASH_WINDOW_SECONDS},
        )


# ---- areas -----------------------------------------------------------------------------

# What a new area may be added under, and how long its code is: 统计用区划代码 are 12 digits
# (district 6, street 3, community 3); a grid is its community's 12 plus 3 of our own.
_CHILD_LEVEL = {
    Area.Level.DISTRICT: Area.Level.STREET,
    Area.Level.STREET: Area.Level.COMMUNITY,
    Area.Level.COMMUNITY: Area.Level.GRID,
}
_CODE_LENGTH = {Area.Level.STREET: 12, Area.Level.COMMUNITY: 12, Area.Level.GRID: 15}


def _require_area_keeper(actor: User | None) -> None:
    """Only a district admin (or a job, actor None) changes the area tree."""
    from households.models import User as UserModel

    if actor is not None and (not actor.is_active or actor.role != UserModel.Role.DISTRICT_ADMIN):
        raise PermissionDenied


def _area_code_errors(code: str, *, parent: Area, level: str) -> list[str]:
    """Why `code` cannot be the code of a `level` area under `parent` (none: it can)."""
    length = _CODE_LENGTH[level]
    if len(code) != length or not code.isascii() or not code.isdigit():
        return [_("区划代码应为 %(n)d 位数字。") % {"n": length}]
    if not code.startswith(parent.prefix):
        return [
            _("区划代码须以上级“%(parent)s”的代码 %(prefix)s 开头。")
            % {"parent": parent.name, "prefix": parent.prefix}
        ]
    if level == Area.Level.STREET and (code[6:9] == "000" or code[9:12] != "000"):
        return [_("街道/镇的代码：第 7–9 位为街道编号（不能为 000），第 10–12 位为 000。")]
    if level in (Area.Level.COMMUNITY, Area.Level.GRID) and code[-3:] == "000":
        return [_("区划代码的最后 3 位为本级编号，不能为 000。")]
    return []


@transaction.atomic
def area_create(*, actor: User | None, parent: Area, code: str, name: str) -> Area:
    """Add a street, community or grid under `parent`, a level below it.

    The code must fit the statistical division scheme and start with the parent's prefix:
    scope is "starts with my area's prefix", so a code outside its parent would put the area
    (and every household in it) in someone else's scope."""
    _require_area_keeper(actor)
    if actor is not None and not covers(actor, parent.prefix):
        raise ValidationError({"parent": _("所选区划不在您的管辖范围内。")})
    level = _CHILD_LEVEL.get(parent.level)
    if level is None:
        raise ValidationError({"parent": _("网格之下不能再添加区划。")})
    code = code.strip()
    name = name.strip()
    errors: dict[str, list[str]] = {}
    if code_errors := _area_code_errors(code, parent=parent, level=level):
        errors["code"] = code_errors
    if not name:
        errors["name"] = [_("请填写名称。")]
    if errors:
        raise ValidationError(errors)
    prefix_of = Area.prefix_of(code, level)
    if Area.objects.filter(Q(code=code) | Q(prefix=prefix_of)).exists():
        raise ValidationError({"code": _("区划代码 %(code)s 已存在。") % {"code": code}})
    try:
        with transaction.atomic():
            area = Area.objects.create(
                code=code, prefix=prefix_of, name=name, level=level, parent=parent
            )
    except IntegrityError:  # the same code added at the same moment
        raise ValidationError({"code": _("区划代码 %(code)s 已存在。") % {"code": code}}) from None
    audit(actor=actor, verb="area.create", obj=area, changes={"code": code, "name": name})
    return area


@transaction.atomic
def area_rename(*, actor: User | None, area: Area, name: str) -> Area:
    """A new name. The code stays: households and users hold it (and its prefix) as scope."""
    _require_area_keeper(actor)
    if actor is not None and not covers(actor, area.prefix):
        raise ValidationError({"area": _("所选区划不在您的管辖范围内。")})
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写名称。")})
    area = Area.objects.select_for_update().get(pk=area.pk)
    before = {"name": area.name}
    area.name = name
    if changes := diff(area, before, ["name"]):
        area.save(update_fields=["name"])
        audit(actor=actor, verb="area.rename", obj=area, changes=changes)
    return area
