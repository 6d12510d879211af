"""Case work at 100,000 households and 2,000,000 visits: the nightly job and the worklist.

The nightly job (cases.services.followups_schedule: chunks of 10,000 households, one
transaction and one idempotent statement each, tiers written back with their history) is
put beside
  (a) one bare INSERT … SELECT … ON CONFLICT over all households that builds the same
      schedule for the default rules (no chunks, no tier write-back, no load balancing), and
  (b) the naive loop that evaluates and saves one household at a time through the ORM, run
      on a sample and extrapolated (it would take minutes on all of them).
The worklist page of the busiest social worker is put beside the raw SQL for its rows.

Follow-ups are kept in history (django-pghistory triggers, issue 6): every run of ours and of
(a) writes a history row per follow-up it inserts or changes, and none for rows it leaves
alone. (a) is also timed with the triggers off (session_replication_role = replica) to show
what history costs.

Visits are seeded once with `seed_visits --per-household 20 --seed 1 --if-empty` (COPY).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from access.scope import like, sql_within
from bench.runner import Case, Context, Skip, scenario
from cases import schedule
from cases.models import FollowUp, FollowUpEvent, HardshipAlert, TierRule, Visit
from cases.predicates import CATALOGUE, need_table
from cases.services import followups_schedule
from households.models import Enrolment, Household, Member

VISITS_PER_HOUSEHOLD = 20
NAIVE_SAMPLE = int(os.environ.get("BENCH_CASES_NAIVE_SAMPLE", "1000"))
_ROW = re.compile(r'data-household="([0-9a-f-]{36})"')
_FIRST_RUN: dict[str, str] = {}


def _prepare_data() -> None:
    """2,000,000 visits and a converged schedule, made once; the first run's cost noted."""
    if not Visit.objects.exists():
        print(f"seeding visits ({VISITS_PER_HOUSEHOLD} per household, COPY) …", flush=True)
        started = time.perf_counter()
        call_command("seed_visits", per_household=VISITS_PER_HOUSEHOLD, seed=1, if_empty=True)
        _FIRST_RUN["visits"] = f"visits seeded in {time.perf_counter() - started:.0f} s"
    if "first" not in _FIRST_RUN:
        started = time.perf_counter()
        result = followups_schedule()
        _FIRST_RUN["first"] = (
            f"run before timing: {time.perf_counter() - started:.1f} s, "
            f"{result.tiers_changed} tiers and {result.created + result.updated} follow-ups "
            "written"
        )


def _fingerprint(lo: int = 0, hi: int | None = None) -> str:
    """The open schedule of households lo < id <= hi, as one hash."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT md5(string_agg(concat_ws(',', household_id, due, tier, rule_id,"
            " assignee_id, overdue), ';' ORDER BY household_id)) FROM cases_followup"
            " WHERE status = 'open' AND household_id > %s AND household_id <= %s",
            [lo, hi if hi is not None else 2**62],
        )
        return cursor.fetchone()[0] or ""


def _job() -> int:
    """One run of the nightly job; refuses to time a run skipped for another one's lock."""
    result = followups_schedule()
    if result.skipped:
        raise RuntimeError("another run of the job holds its lock (a second bench?)")
    return result.rows_changed


def _truncate() -> None:
    # The history of the emptied table goes too, so repeated fresh runs stay comparable.
    with connection.cursor() as cursor:
        cursor.execute(
            f"TRUNCATE {FollowUp._meta.db_table}, {FollowUpEvent._meta.db_table},"
            " cases_followupday, cases_followupmonth"  # the dashboard's counts of them
        )


def _history_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {FollowUpEvent._meta.db_table}")
        return cursor.fetchone()[0]


# ---- (a) the same schedule in one bare statement ---------------------------------------

_DEFAULT_CODES = {
    "enrolled",
    "enrolled_recently",
    "open_need",
    "frail_without_caregiver",
    "elderly_alone",
    "hardship_alert",
    "active_household",
}

_BARE_SQL = """
WITH r AS (
    SELECT id, code, name, tier, interval_months, priority, params
    FROM cases_tierrule WHERE active
),
m (household_id, rule_id) AS (
    SELECT e.household_id, r.id FROM households_enrolment e
    JOIN r ON r.code = 'enrolled' AND e.category_id = r.params->>'category'
    WHERE e.status = 'approved' AND e.start_date <= %(today)s
      AND (e.end_date IS NULL OR e.end_date >= %(today)s)
    UNION ALL
    SELECT e.household_id, r.id FROM households_enrolment e
    JOIN r ON r.code = 'enrolled_recently' AND e.category_id = r.params->>'category'
    WHERE e.status IN ('approved', 'ended') AND e.start_date <= %(today)s
      AND (e.end_date IS NULL OR e.end_date >= %(today)s - (r.params->>'days')::int)
    UNION ALL
    SELECT mb.household_id, r.id FROM households_member mb
    JOIN r ON r.code = 'frail_without_caregiver'
    WHERE mb.status = 'active' AND NOT mb.has_caregiver
      AND (mb.disability_grade <= (r.params->>'max_disability_grade')::int
           OR ((r.params->>'serious_illness')::boolean AND mb.health = 'serious'))
    UNION ALL
    SELECT mb.household_id, r.id FROM households_member mb
    JOIN r ON r.code = 'elderly_alone'
    WHERE mb.status = 'active' AND mb.lives_alone
      AND mb.birth_date <= (%(today)s - make_interval(years => (r.params->>'min_age')::int))::date
    UNION ALL
    SELECT a.household_id, r.id FROM cases_hardshipalert a
    JOIN r ON r.code = 'hardship_alert'
    WHERE a.resolved_at IS NULL AND a.created_at >= %(alert_since)s
    {needs}
),
w AS (
    SELECT DISTINCT ON (m.household_id) m.household_id, m.rule_id
    FROM m JOIN r ON r.id = m.rule_id
    ORDER BY m.household_id, r.tier, r.priority, r.id
),
s AS (
    SELECT h.id AS household_id, rr.id AS rule_id, rr.tier, rr.interval_months,
        h.created_at, h.area_code, h.worker_id
    FROM households_household h
    LEFT JOIN w ON w.household_id = h.id
    JOIN r rr ON rr.id = coalesce(w.rule_id, (
        SELECT id FROM r WHERE code = 'active_household' ORDER BY tier, priority, id LIMIT 1))
    WHERE h.status = 'active'
),
d AS (
    SELECT s.household_id, s.rule_id, s.tier,
        CASE WHEN lv.last_at IS NULL THEN (s.created_at AT TIME ZONE %(tz)s)::date
             ELSE ((lv.last_at AT TIME ZONE %(tz)s)::date
                   + make_interval(months => s.interval_months))::date
        END AS due,
        (SELECT u.id FROM households_user u JOIN households_area ar ON ar.id = u.area_id
          WHERE u.id = s.worker_id AND u.role = 'social_worker' AND u.is_active
            AND length(ar.prefix) >= 12 AND {worker_holds}) AS assignee_id
    FROM s
    LEFT JOIN LATERAL (
        SELECT v.visited_at AS last_at FROM cases_visit v
        WHERE v.household_id = s.household_id ORDER BY v.visited_at DESC LIMIT 1
    ) lv ON TRUE
)
INSERT INTO cases_followup AS f (uuid, created_at, updated_at, household_id, due, tier,
    rule_id, assignee_id, status, overdue, reassigned, visit_id, completed_at)
SELECT gen_random_uuid(), now(), now(), d.household_id, d.due, d.tier, d.rule_id,
    d.assignee_id, 'open', d.due < %(today)s, FALSE, NULL, NULL
FROM d
ON CONFLICT (household_id) WHERE status = 'open' DO UPDATE SET
    due = EXCLUDED.due, tier = EXCLUDED.tier, rule_id = EXCLUDED.rule_id,
    assignee_id = EXCLUDED.assignee_id, overdue = EXCLUDED.overdue, updated_at = now()
WHERE (f.due, f.tier, f.rule_id, f.assignee_id, f.overdue)
    IS DISTINCT FROM (EXCLUDED.due, EXCLUDED.tier, EXCLUDED.rule_id, EXCLUDED.assignee_id,
                      EXCLUDED.overdue)
"""

_BARE_NEEDS = """
    UNION ALL
    SELECT n.household_id, r.id FROM matching_need n
    JOIN r ON r.code = 'open_need' AND n.type = r.params->>'type'
    WHERE n.status IN (SELECT jsonb_array_elements_text(r.params->'statuses'))
"""


def _bare_params(today: dt.date) -> dict[str, Any]:
    hardship = TierRule.objects.filter(code="hardship_alert", active=True).first()
    days = hardship.params.get("days", 90) if hardship else 90
    since = dt.datetime.combine(
        today - dt.timedelta(days=days), dt.time.min, tzinfo=timezone.get_default_timezone()
    )
    return {"today": today, "tz": settings.TIME_ZONE, "alert_since": since}


def _bare_sql() -> str:
    codes = set(TierRule.objects.filter(active=True).values_list("code", flat=True))
    if not codes <= _DEFAULT_CODES:
        raise Skip(f"the bare statement knows the default predicates only, not {codes}")
    if HardshipAlert.objects.exists():
        raise Skip("the bare statement leaves out hardship alerts' due dates")
    return _BARE_SQL.format(
        needs=_BARE_NEEDS if need_table() else "",
        worker_holds=sql_within("s.area_code", "ar.prefix"),
    )


def _bare_run(sql: str, *, triggers: bool = True) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        if not triggers:  # needs a superuser, as the bench database's owner is
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, _bare_params(timezone.localdate()))
        return cursor.rowcount


@scenario("cases: nightly job, fresh schedule for 100,000 households")
def job_fresh(context: Context) -> Case:
    _prepare_data()
    sql = _bare_sql()

    def ours() -> int:
        _truncate()
        return _job()

    def bare() -> int:
        _truncate()
        return _bare_run(sql)

    def bare_untracked() -> int:
        _truncate()
        return _bare_run(sql, triggers=False)

    ours()
    mine = _fingerprint()
    history = _history_rows()
    bare()
    same = "same schedule" if _fingerprint() == mine else "SCHEDULES DIFFER"
    return Case(
        ours=ours,
        references=[
            ("(a) one INSERT…SELECT…ON CONFLICT", bare),
            ("(a) the same, history triggers off", bare_untracked),
        ],
        note=f"both start from an emptied follow-up table; {same} (checked once); "
        f"history rows written by ours: {history:,}; "
        f"{_FIRST_RUN['first']}; {_FIRST_RUN.get('visits', '')}",
    )


@scenario("cases: nightly job re-run, nothing to change")
def job_rerun(context: Context) -> Case:
    _prepare_data()
    sql = _bare_sql()
    _job()
    before = _fingerprint()
    history = _history_rows()
    changed = [_job() for _ in range(2)]
    history = _history_rows() - history
    bare_changed = _bare_run(sql)
    steady = _fingerprint() == before
    return Case(
        ours=_job,
        references=[
            ("(a) one INSERT…SELECT…ON CONFLICT", lambda: _bare_run(sql)),
            ("(a) the same, history triggers off", lambda: _bare_run(sql, triggers=False)),
        ],
        note=f"rows changed by a re-run: ours {max(changed)}, (a) {bare_changed}; "
        f"history rows written by two re-runs: {history}; "
        f"schedule {'unchanged' if steady else 'CHANGED'}",
    )


# ---- (b) the naive loop, on a sample ---------------------------------------------------


def _naive_matches(rule: TierRule, household: Household, today: dt.date) -> bool:
    """One rule for one household, through the ORM (what a first version would do)."""
    p = CATALOGUE[rule.code].clean(rule.params)
    if rule.code == "enrolled":
        return (
            Enrolment.objects.filter(
                household=household, category_id=p["category"], status="approved"
            )
            .filter(start_date__lte=today)
            .exclude(end_date__lt=today)
            .exists()
        )
    if rule.code == "enrolled_recently":
        since = today - dt.timedelta(days=p["days"])
        return (
            Enrolment.objects.filter(
                household=household,
                category_id=p["category"],
                status__in=["approved", "ended"],
                start_date__lte=today,
            )
            .exclude(end_date__lt=since)
            .exists()
        )
    members = Member.objects.filter(household=household, status="active")
    if rule.code == "frail_without_caregiver":
        return any(
            (m.disability_grade or 99) <= p["max_disability_grade"]
            or (p["serious_illness"] and m.health == "serious")
            for m in members.filter(has_caregiver=False)
        )
    if rule.code == "elderly_alone":
        return any(m.age_on(today) >= p["min_age"] for m in members.filter(lives_alone=True))
    if rule.code == "hardship_alert":
        return household.hardship_alerts.filter(resolved_at__isnull=True).exists()
    if rule.code == "open_need":
        table = need_table()
        return (
            bool(table)
            and household.needs.filter(type=p["type"], status__in=p["statuses"]).exists()
        )
    return False


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=d)
        except ValueError:
            continue
    raise ValueError(day)


def _naive_one(household: Household, rules: list[TierRule], today: dt.date) -> None:
    fallback = next((r for r in rules if r.code == "active_household"), None)
    rule = next(
        (r for r in rules if r.code != "active_household" and _naive_matches(r, household, today)),
        fallback,
    )
    if (household.tier, household.tier_reason) != (rule.tier, rule.name):
        household.tier, household.tier_reason = rule.tier, rule.name
        household.save(update_fields=["tier", "tier_reason", "updated_at"])
    last = household.visits.order_by("-visited_at").values_list("visited_at", flat=True).first()
    if last is None:
        due = timezone.localdate(household.created_at)
    else:
        due = _add_months(timezone.localdate(last), rule.interval_months)
    worker = household.worker
    ok = (
        worker is not None
        and worker.role == "social_worker"
        and worker.is_active
        and worker.area is not None
        and len(worker.area.prefix) >= 12
        and household.area_code.startswith(worker.area.prefix)
    )
    followup = household.followups.filter(status="open").first() or FollowUp(household=household)
    followup.due, followup.tier, followup.rule = due, rule.tier, rule
    followup.assignee = worker if ok else None
    followup.overdue = due < today
    followup.save()


def _sample_bounds() -> tuple[int, int]:
    ids = list(Household.objects.order_by("id").values_list("id", flat=True)[:NAIVE_SAMPLE])
    if len(ids) < NAIVE_SAMPLE:
        raise Skip(f"fewer than {NAIVE_SAMPLE} households")
    return ids[0] - 1, ids[-1]


def _clear_sample(lo: int, hi: int) -> None:
    FollowUp.objects.filter(status="open", household_id__gt=lo, household_id__lte=hi).delete()


@scenario(f"cases: nightly job on {NAIVE_SAMPLE:,} households")
def job_vs_naive(context: Context) -> Case:
    _prepare_data()
    lo, hi = _sample_bounds()
    today = timezone.localdate()
    rules = list(TierRule.objects.filter(active=True).order_by("tier", "priority", "id"))
    sql, params = schedule.schedule_statement(
        rules=schedule.load_rules(), ctx=schedule.make_context(today)
    )

    def ours() -> None:
        _clear_sample(lo, hi)
        with transaction.atomic():
            schedule.run_statement(sql, {**params, "lo": lo, "hi": hi}, exclusive=True)

    def naive() -> None:
        _clear_sample(lo, hi)
        with transaction.atomic():
            for household in (
                Household.objects.filter(id__gt=lo, id__lte=hi, status="active")
                .select_related("worker__area")
                .order_by("id")
            ):
                _naive_one(household, rules, today)

    ours()
    mine = _fingerprint(lo, hi)
    started = time.perf_counter()
    naive()
    once = time.perf_counter() - started
    same = "same schedule" if _fingerprint(lo, hi) == mine else "SCHEDULES DIFFER"
    total = Household.objects.count()
    return Case(
        ours=ours,
        references=[("(b) naive loop, one household at a time", naive)],
        note=f"both on the first {NAIVE_SAMPLE:,} households (ours = one chunk of the job); "
        f"naive extrapolated to {total:,}: ≈ {once * total / NAIVE_SAMPLE:.0f} s; {same}",
    )


# ---- the worklist ----------------------------------------------------------------------

_WORKLIST_SQL = """
SELECT bucket, h.uuid, head.name, h.address, f.due, f.tier,
    (SELECT max(v.visited_at) FROM cases_visit v WHERE v.household_id = f.household_id)
FROM (
    SELECT f.*,
        CASE WHEN f.due < %(today)s THEN 0 WHEN f.due = %(today)s THEN 1 ELSE 2 END AS bucket,
        row_number() OVER (
            PARTITION BY CASE WHEN f.due < %(today)s THEN 0 WHEN f.due = %(today)s THEN 1
                              ELSE 2 END
            ORDER BY f.tier, f.due, f.id) AS position
    FROM cases_followup f
    JOIN households_household hh ON hh.id = f.household_id
    WHERE f.status = 'open' AND f.assignee_id = %(worker)s AND f.due <= %(horizon)s
      AND hh.area_code LIKE %(scope)s
) f
JOIN households_household h ON h.id = f.household_id
LEFT JOIN households_member head ON head.id = h.head_id
WHERE f.position <= 100
ORDER BY bucket, f.tier, f.due, f.id
"""


def _busiest_worker() -> tuple[str, int]:
    horizon = timezone.localdate() + dt.timedelta(days=7)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT u.username, count(*) FROM cases_followup f"
            " JOIN households_user u ON u.id = f.assignee_id"
            " WHERE f.status = 'open' AND f.due <= %s AND u.role = 'social_worker'"
            " GROUP BY u.username ORDER BY count(*) DESC, u.username LIMIT 1",
            [horizon],
        )
        row = cursor.fetchone()
    if row is None:
        raise Skip("no social worker has follow-ups due")
    return row


@scenario("cases: worklist page of the busiest social worker")
def worklist_page(context: Context) -> Case:
    _prepare_data()
    username, due = _busiest_worker()
    worker = context.user(username)
    client = context.client(username)
    url = reverse("cases:worklist")
    today = timezone.localdate()
    params = {
        "today": today,
        "horizon": today + dt.timedelta(days=7),
        "worker": worker.pk,
        "scope": like(worker.area.prefix),
    }

    def ours() -> Any:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return response

    def raw() -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(_WORKLIST_SQL, params)
            return cursor.fetchall()

    def rows(result: Any) -> list[str]:
        if hasattr(result, "content"):
            return _ROW.findall(result.content.decode())
        return [str(row[1]) for row in result]

    return Case(
        ours=ours,
        references=[("raw SQL for the same rows", raw)],
        rows=rows,
        note=f"{username}: {due} open follow-ups due within 7 days; "
        "ours = HTTP + session + 2 worklist queries + month summary + template",
    )


@scenario("cases: worklist selector of the busiest social worker")
def worklist_selector(context: Context) -> Case:
    from cases.selectors import worklist

    _prepare_data()
    username, _due = _busiest_worker()
    worker = context.user(username)
    today = timezone.localdate()
    params = {
        "today": today,
        "horizon": today + dt.timedelta(days=7),
        "worker": worker.pk,
        "scope": like(worker.area.prefix),
    }

    def raw() -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(_WORKLIST_SQL, params)
            return cursor.fetchall()

    def rows(result: Any) -> list[str]:
        if isinstance(result, list):
            return [str(row[1]) for row in result]
        return [str(f.household.uuid) for _key, _n, part in result.sections for f in part]

    return Case(
        ours=lambda: worklist(actor=worker, today=today),
        references=[("raw SQL for the same rows", raw)],
        rows=rows,
        note=f"{username}; ours = the rows with their models and last contacts (2 queries)",
    )
