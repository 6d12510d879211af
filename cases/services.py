"""Writes of case work: atomic (the chunked nightly job aside), each with an audit event."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.capabilities import Can, can
from access.scope import covers
from cases import schedule
from cases.models import FINDING_AREAS, FollowUp, HardshipAlert, ServiceActivity, TierRule, Visit
from cases.needs import needs_list_available, needs_record
from cases.predicates import CATALOGUE
from core.audit import audit, diff
from core.errors import ApplicationError, StaleVersionError
from households.models import Area, Household, Member, User
from households.services import member_update

if TYPE_CHECKING:
    from cases.schedule import ScheduleResult

CHUNK_SIZE = 10_000
# What a visit may change about a member, in the same step as the visit.
VISIT_MEMBER_FIELDS = [
    "status",
    "health",
    "illness",
    "has_caregiver",
    "lives_alone",
    "employment",
    "monthly_income",
]


def _check_household(actor: User | None, household: Household, allowed: bool) -> None:
    """Role first (403), then scope: views have already turned out-of-scope into a 404."""
    if actor is not None and not allowed:
        raise PermissionDenied
    if actor is not None and not covers(actor, household.area_code, household_id=household.pk):
        raise PermissionDenied


# ---- the schedule ----------------------------------------------------------------------


def followups_schedule(
    *, actor: User | None = None, today: dt.date | None = None, chunk_size: int = CHUNK_SIZE
) -> ScheduleResult:
    """Recompute every household's tier and keep its one open follow-up: the nightly job.

    Deliberately not atomic as a whole: each chunk of `chunk_size` households (by id) is one
    transaction running one idempotent statement. A run killed half-way leaves whole chunks
    done and the rest untouched; running again changes only what still differs, so any
    number of runs, complete or not, converge on the same schedule. A second run while one
    is going returns at once with `skipped` set.
    """
    today = today or timezone.localdate()
    rules = schedule.load_rules()
    ctx = schedule.make_context(today)
    result = schedule.ScheduleResult()
    if not schedule.try_run_lock():
        result.skipped = True
        return result
    try:
        sql, params = schedule.schedule_statement(rules=rules, ctx=ctx)
        for after, last in schedule.chunk_bounds(chunk_size):
            chunk = {**params, "lo": after, "hi": last}
            history = pghistory.context(
                job="followups_schedule", user=actor.pk if actor is not None else None
            )
            with transaction.atomic(), history:
                result.add(schedule.run_statement(sql, chunk, exclusive=True))
            result.chunks += 1
    finally:
        schedule.release_run_lock()
    return result


@transaction.atomic
def followups_schedule_households(*, actor: User | None, household_ids: list[int]) -> int:
    """Tier and schedule these households now, by the nightly job's own statement.

    Contiguous ids (an import allocates them in one block) go as one range, at most
    CHUNK_SIZE to a statement; returns the number of households scheduled.
    """
    sql, params = schedule.schedule_statement(
        rules=schedule.load_rules(), ctx=schedule.make_context(timezone.localdate())
    )
    done = 0
    history = pghistory.context(
        job="followups_schedule_households", user=actor.pk if actor is not None else None
    )
    with history:
        for lo, hi in _id_ranges(sorted(set(household_ids)), CHUNK_SIZE):
            done += schedule.run_statement(sql, {**params, "lo": lo, "hi": hi}, exclusive=False)[0]
    return done


def _id_ranges(ids: list[int], size: int) -> list[tuple[int, int]]:
    """(lo, hi] ranges covering exactly `ids` (sorted): runs of consecutive ids, cut at size."""
    ranges: list[tuple[int, int]] = []
    start = prev = None
    for id_ in ids:
        if start is not None and id_ == prev + 1 and id_ - start < size:
            prev = id_
            continue
        if start is not None:
            ranges.append((start - 1, prev))
        start = prev = id_
    if start is not None:
        ranges.append((start - 1, prev))
    return ranges


def _schedule_household(household: Household) -> None:
    """The nightly job's statement for one household, inside the caller's transaction."""
    sql, params = schedule.schedule_statement(
        rules=schedule.load_rules(), ctx=schedule.make_context(timezone.localdate())
    )
    one = {**params, "lo": household.pk - 1, "hi": household.pk}
    schedule.run_statement(sql, one, exclusive=False)


def _lock_household(household: Household) -> Household:
    """Share the schedule lock, then lock the household row (always in this order)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [schedule.SCHEDULE_LOCK])
    return Household.objects.select_for_update().get(pk=household.pk)


# ---- visits ----------------------------------------------------------------------------


@transaction.atomic
def visit_log(
    *,
    actor: User | None,
    household: Household,
    method: str,
    visited_at: dt.datetime,
    companions: str = "",
    findings: dict[str, tuple[str, str]] | None = None,
    needs_noted: str = "",
    member_changes: list[tuple[Member, dict[str, Any]]] | None = None,
    needs: list[dict[str, Any]] | None = None,
    resolve_alerts: bool = False,
    client_id: uuid.UUID | None = None,
    member_bases: dict[int, dict[str, Any]] | None = None,
) -> Visit:
    """Log a visit and everything that follows from it, in one transaction.

    Applies the household's member changes through households.services.member_update,
    records the needs noticed in matching/'s needs list (`needs`: {"kind": "type:subtype",
    "description", "urgency"}; free text stays in `needs_noted`), completes the open
    follow-up, resolves open hardship alerts when asked, and recomputes the household's tier
    and schedules its next follow-up exactly as the nightly job would.

    `client_id`, made on the device, makes the call idempotent: sent again by the same worker
    (a double tap, a retry, the outbox), the visit already stored is returned, with
    `replayed` set, and nothing else is written. `member_bases` (member pk → the version and
    values the form was filled from) lets changes typed offline meet later edits: a field
    changed both there and here is kept on the visit as a conflict, not written over.
    """
    _check_household(actor, household, can(actor, Can.LOG_VISIT))
    if visited_at > timezone.now():
        raise ValidationError({"visited_at": _("走访时间不能晚于现在。")})
    household = _lock_household(household)
    # After the household's lock: a second copy sent at the same moment waits for the first
    # to commit, then finds it here.
    if client_id is not None:
        stored = Visit.objects.filter(worker=actor, client_id=client_id).first()
        if stored is not None:
            if stored.household_id != household.pk:
                raise ValidationError(_("该走访记录已保存在另一户下，请刷新页面后重新填写。"))
            stored.replayed = True
            return stored
    visit = Visit(
        household=household,
        worker=actor,
        companions=companions.strip(),
        method=method,
        visited_at=visited_at,
        visit_date=timezone.localdate(visited_at),
        needs_noted=needs_noted.strip(),
        client_id=client_id,
    )
    for area, (status, note) in (findings or {}).items():
        setattr(visit, f"{area}_status", status)
        setattr(visit, f"{area}_note", note.strip())
    # The household (locked above) and the worker (the actor) are rows already read, and the
    # uuid is a fresh uuid4 under a unique index: checking them again was three queries on
    # every visit logged. Every field's own validation and clean() still run.
    visit.full_clean(exclude=["household", "worker"], validate_unique=False)
    visit.changes_summary, visit.conflicts = _apply_member_changes(
        actor, household, member_changes or [], member_bases or {}
    )
    visit.save()
    recorded = _record_needs(actor, household, needs or [], client_id)
    followup = _complete_open_followup(household, visit)
    if resolve_alerts:
        _resolve_open_alerts(actor, household)
    _schedule_household(household)
    audit(
        actor=actor,
        verb="visit.log",
        obj=visit,
        household_id=household.pk,
        changes={
            "method": method,
            "visit_date": str(visit.visit_date),
            "followup": followup.pk if followup else None,
            "members": visit.changes_summary,
            "needs": [str(need.uuid) for need in recorded],
            "conflicts": len(visit.conflicts),
        },
    )
    visit.replayed = False
    return visit


def _record_needs(
    actor: User | None,
    household: Household,
    needs: list[dict[str, Any]],
    client_id: uuid.UUID | None,
) -> list[Any]:
    if needs and not needs_list_available():
        raise ValidationError({"needs": _("需求清单尚未启用，请把需求写在文字说明中。")})
    if client_id is not None:
        # Each need gets an id of its own from the visit's, so it too is stored once.
        needs = [
            {**need, "client_id": uuid.uuid5(client_id, f"need:{i}")}
            for i, need in enumerate(needs)
        ]
    return needs_record(actor=actor, household=household, needs=needs)


def _apply_member_changes(
    actor: User | None,
    household: Household,
    changes: list[tuple[Member, dict[str, Any]]],
    bases: dict[int, dict[str, Any]],
) -> tuple[str, list[dict[str, Any]]]:
    lines, conflicts = [], []
    for member, data in changes:
        if member.household_id != household.pk:
            raise ValidationError(_("%(name)s 不是本户成员。") % {"name": member.name})
        # The row as it is now (the household is locked, so no one changes it meanwhile).
        member = Member.objects.get(pk=member.pk)
        data = {k: v for k, v in data.items() if k in VISIT_MEMBER_FIELDS}
        base = bases.get(member.pk)
        if base is not None and base["version"] != member.version:
            data, clashes = _merge_with_later_edits(member, data, base["values"])
            conflicts.extend(clashes)
        wanted = {k: v for k, v in data.items() if getattr(member, k) != v}
        if not wanted:
            continue
        before = {k: getattr(member, k) for k in wanted}
        updated = member_update(actor=actor, member=member, data=wanted)
        lines.append(_describe(updated, before))
    return "\n".join(lines), conflicts


def _merge_with_later_edits(
    member: Member, mine: dict[str, Any], base: dict[str, Any]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Someone changed the member after the form was filled: keep only the fields this
    visit changed that nobody else did; a field both changed, differently, is a conflict."""
    merged, clashes = {}, []
    for name, value in mine.items():
        if name not in base or value == base[name]:
            continue  # not changed on this visit: the later edit stands
        theirs = getattr(member, name)
        if theirs == base[name]:
            merged[name] = value
        elif theirs != value:
            clashes.append(
                {
                    "member": str(member.uuid),
                    "name": member.name,
                    "field": name,
                    "label": str(Member._meta.get_field(name).verbose_name),
                    "base": _plain(base[name]),
                    "mine": _plain(value),
                    "theirs": _plain(theirs),
                }
            )
    return merged, clashes


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def conflict_display(conflict: dict[str, Any], key: str) -> str:
    """One side of a conflict as the worker reads it (choice labels, 是/否)."""
    field = Member._meta.get_field(conflict["field"])
    value = conflict[key]
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(value) if value not in (None, "") else "—"


@transaction.atomic
def visit_conflicts_settle(*, actor: User | None, visit: Visit, keep_mine: set[int]) -> Visit:
    """Settle a visit's conflicts field by field: for the indexes in `keep_mine`, the value
    typed on the visit is written; for the others the later edit stands. Each is a choice the
    worker made, so nothing is overwritten unseen."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    _check_household(
        actor, visit.household, can(actor, Can.LOG_VISIT) and visit.worker_id == actor.pk
    )
    if not visit.conflicts:
        return visit
    chosen: dict[str, dict[str, Any]] = {}
    for i, conflict in enumerate(visit.conflicts):
        if i in keep_mine:
            field = Member._meta.get_field(conflict["field"])
            chosen.setdefault(conflict["member"], {})[conflict["field"]] = field.to_python(
                conflict["mine"]
            )
    lines = [visit.changes_summary] if visit.changes_summary else []
    for member_uuid, data in chosen.items():
        member = Member.objects.get(uuid=member_uuid, household_id=visit.household_id)
        before = {k: getattr(member, k) for k in data}
        updated = member_update(actor=actor, member=member, data=data)
        lines.append(_describe(updated, before))
    settled = len(visit.conflicts)
    visit.conflicts = []
    visit.changes_summary = "\n".join(lines)
    visit.save(update_fields=["conflicts", "changes_summary", "updated_at"])
    audit(
        actor=actor,
        verb="visit.conflicts_settle",
        obj=visit,
        household_id=visit.household_id,
        changes={"settled": settled, "kept_mine": sorted(keep_mine)},
    )
    return visit


def _describe(member: Member, before: dict[str, Any]) -> str:
    parts = []
    for name, old in before.items():
        field = Member._meta.get_field(name)
        new = getattr(member, name)
        if field.choices:
            labels = dict(field.flatchoices)
            old, new = labels.get(old, old), labels.get(new, new)
        elif isinstance(new, bool):
            old, new = (_("是") if old else _("否")), (_("是") if new else _("否"))
        parts.append(f"{field.verbose_name}：{old or '—'} → {new or '—'}")
    return f"{member.name}：" + "；".join(parts)


def _complete_open_followup(household: Household, visit: Visit) -> FollowUp | None:
    """The open follow-up is answered by this visit, unless a later contact is on record
    (a visit logged late, for an earlier day, answers nothing still open)."""
    later = household.visits.filter(visited_at__gt=visit.visited_at).exclude(pk=visit.pk)
    if later.exists():
        return None
    followup = (
        FollowUp.objects.select_for_update()
        .filter(household=household, status=FollowUp.Status.OPEN)
        .first()
    )
    if followup is None:
        return None
    followup.status = FollowUp.Status.DONE
    followup.visit = visit
    followup.completed_at = timezone.now()
    followup.save(update_fields=["status", "visit", "completed_at", "updated_at"])
    return followup


def finding_fields() -> list[str]:
    return [f"{area}_{part}" for area, _label in FINDING_AREAS for part in ("status", "note")]


# ---- follow-ups ------------------------------------------------------------------------


def worker_can_take(worker: User, household: Household) -> bool:
    """A social worker of the household's street: active, bound at community level or below
    in the same street. One of another community reads the household while the follow-up
    is theirs (access.scope.lent_households)."""
    if worker.role != User.Role.SOCIAL_WORKER or not worker.is_active or worker.area_id is None:
        return False
    prefix = worker.area.prefix
    return len(prefix) >= 12 and household.area_code[:9] == prefix[:9]


@transaction.atomic
def followup_reassign(*, actor: User | None, followup: FollowUp, assignee: User) -> FollowUp:
    """Give an open follow-up to another social worker of the household's street.

    The nightly job keeps this choice for as long as that worker can take the household.
    """
    _check_household(actor, followup.household, actor is None or can(actor, Can.REASSIGN))
    followup = FollowUp.objects.select_for_update().select_related("household").get(pk=followup.pk)
    if followup.status != FollowUp.Status.OPEN:
        raise ApplicationError(_("该跟进计划已完成或已取消，不能改派。"))
    if not worker_can_take(assignee, followup.household):
        raise ValidationError({"assignee": _("只能指派给该家庭所在街道的社工。")})
    if actor is not None and not covers(actor, assignee.area.prefix):
        raise ValidationError({"assignee": _("只能指派给您管辖范围内的社工。")})
    before = {"assignee_id": followup.assignee_id}
    followup.assignee = assignee
    followup.reassigned = True
    followup.save(update_fields=["assignee", "reassigned", "updated_at"])
    audit(
        actor=actor,
        verb="followup.reassign",
        obj=followup,
        household_id=followup.household_id,
        changes=diff(followup, before, ["assignee_id"]),
    )
    return followup


# A bulk reassignment covers at most this many follow-ups: the working list's page.
BULK_REASSIGN_MAX = 100


@transaction.atomic
def followup_reassign_bulk(
    *, actor: User | None, followups: list[FollowUp], assignee: User
) -> list[FollowUp]:
    """Give several open follow-ups to one worker, all of them or none.

    Each goes through followup_reassign (its checks, audit event and history); the first
    that fails undoes the rest and names its household. Rows are locked in id order.
    """
    if not followups:
        raise ValidationError({"followup": _("请至少勾选一条跟进计划。")})
    if len(followups) > BULK_REASSIGN_MAX:
        raise ValidationError(
            {"followup": _("一次最多改派 %(n)s 条跟进计划。") % {"n": BULK_REASSIGN_MAX}}
        )
    done = []
    for followup in sorted(followups, key=lambda f: f.pk):
        try:
            done.append(followup_reassign(actor=actor, followup=followup, assignee=assignee))
        except (ValidationError, ApplicationError) as error:
            text = (
                error.message if isinstance(error, ApplicationError) else " ".join(error.messages)
            )
            raise ApplicationError(
                _("%(household)s：%(error)s 本次勾选的跟进计划均未改派。")
                % {"household": _household_name(followup.household), "error": text}
            ) from error
    return done


def _household_name(household: Household) -> str:
    head = household.head.name if household.head_id else ""
    return f"{head}（{household.address}）" if head else household.address


# ---- hardship alerts (急难) -------------------------------------------------------------


@transaction.atomic
def hardship_alert_record(
    *,
    actor: User | None,
    household: Household,
    kind: str,
    occurred_on: dt.date,
    note: str = "",
) -> HardshipAlert:
    """Record a sudden hardship: the household goes to tier A (rule `hardship_alert`) and
    its follow-up falls due within that rule's `due_within_days` (3 by default)."""
    _check_household(actor, household, can(actor, Can.LOG_VISIT))
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("发生日期不能晚于今天。")})
    household = _lock_household(household)
    alert = HardshipAlert(
        household=household,
        kind=kind,
        occurred_on=occurred_on,
        note=note.strip(),
        reported_by=actor,
    )
    alert.full_clean()
    alert.save()
    _schedule_household(household)
    audit(
        actor=actor,
        verb="hardship_alert.record",
        obj=alert,
        household_id=household.pk,
        changes={"kind": kind, "occurred_on": str(occurred_on)},
    )
    return alert


@transaction.atomic
def hardship_alert_resolve(*, actor: User | None, alert: HardshipAlert) -> HardshipAlert:
    _check_household(actor, alert.household, can(actor, Can.LOG_VISIT))
    household = _lock_household(alert.household)
    alert = HardshipAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.resolved_at is not None:
        raise ApplicationError(_("该急难情况已解除。"))
    _resolve(actor, alert)
    _schedule_household(household)
    return alert


def _resolve(actor: User | None, alert: HardshipAlert) -> None:
    alert.resolved_at = timezone.now()
    alert.resolved_by = actor
    alert.save(update_fields=["resolved_at", "resolved_by", "updated_at"])
    audit(actor=actor, verb="hardship_alert.resolve", obj=alert, household_id=alert.household_id)


def _resolve_open_alerts(actor: User | None, household: Household) -> None:
    for alert in HardshipAlert.objects.select_for_update().filter(
        household=household, resolved_at__isnull=True
    ):
        _resolve(actor, alert)


# ---- tier rules ------------------------------------------------------------------------

TIER_RULE_FIELDS = ["name", "tier", "interval_months", "params", "active", "priority"]


def _require_rules(actor: User | None) -> None:
    if actor is not None and not can(actor, Can.MANAGE_TIER_RULES):
        raise PermissionDenied


def _clean_rule(rule: TierRule) -> None:
    predicate = CATALOGUE.get(rule.code)
    if predicate is None:
        raise ValidationError({"code": _("未知的判定条件。")})
    rule.params = predicate.clean(rule.params)
    rule.full_clean()


def _reschedule_on_commit() -> None:
    """Rules apply at once: the whole schedule is recomputed after the change commits.

    With Redis down the rule is still saved; the nightly run recomputes it (core.enqueue).
    """
    from cases.tasks import followups_schedule_task
    from core.enqueue import enqueue_on_commit

    enqueue_on_commit(followups_schedule_task)


@transaction.atomic
def tier_rule_create(*, actor: User | None, code: str, data: dict[str, Any]) -> TierRule:
    _require_rules(actor)
    rule = TierRule(code=code, **{k: v for k, v in data.items() if k in TIER_RULE_FIELDS})
    _clean_rule(rule)
    rule.save()
    audit(
        actor=actor,
        verb="tier_rule.create",
        obj=rule,
        changes={"code": code, **{k: getattr(rule, k) for k in TIER_RULE_FIELDS}},
    )
    _reschedule_on_commit()
    return rule


@transaction.atomic
def tier_rule_update(
    *,
    actor: User | None,
    rule: TierRule,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> TierRule:
    _require_rules(actor)
    rule = TierRule.objects.select_for_update().get(pk=rule.pk)
    if expected_version is not None and rule.version != expected_version:
        raise StaleVersionError
    fields = [name for name in TIER_RULE_FIELDS if name in data]
    before = {name: getattr(rule, name) for name in fields}
    for name in fields:
        setattr(rule, name, data[name])
    _clean_rule(rule)
    changes = diff(rule, before, fields)
    if not changes:
        return rule
    rule.version += 1
    rule.save(update_fields=[*fields, "version", "updated_at"])
    audit(actor=actor, verb="tier_rule.update", obj=rule, changes=changes)
    _reschedule_on_commit()
    return rule


# ---- service statistics ----------------------------------------------------------------


@transaction.atomic
def service_activity_record(
    *,
    actor: User | None,
    kind: str,
    date: dt.date,
    area: Area,
    title: str,
    sessions: int = 1,
    attendees: int = 0,
    person_times: int = 0,
    note: str = "",
) -> ServiceActivity:
    """Count one service as the worker reports it (个案 / 小组 / 社区活动)."""
    if actor is not None and not can(actor, Can.RECORD_ACTIVITY):
        raise PermissionDenied
    if area.level not in (Area.Level.COMMUNITY, Area.Level.GRID):
        raise ValidationError({"area": _("请选择社区或网格。")})
    if actor is not None and not covers(actor, area.prefix):
        raise ValidationError({"area": _("所选区划不在您的管辖范围内。")})
    if date > timezone.localdate():
        raise ValidationError({"date": _("服务日期不能晚于今天。")})
    activity = ServiceActivity(
        kind=kind,
        date=date,
        area=area,
        area_code=area.prefix,
        worker=actor,
        title=title.strip(),
        sessions=sessions,
        attendees=attendees,
        person_times=person_times,
        note=note.strip(),
    )
    activity.full_clean()
    activity.save()
    audit(
        actor=actor,
        verb="service_activity.record",
        obj=activity,
        changes={"kind": kind, "date": str(date), "person_times": person_times},
    )
    return activity
