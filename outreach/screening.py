# SQL here is built from table names taken from model _meta, the catalogue's fixed
# conditions and placeholders; every value is a query parameter.
# ruff: noqa: S608
"""The nightly screening (政策找人 and 应退尽退) as a few set-based statements.

One transaction: the facts of every active household (its categories, per-capita income and
the standard in force in its district) and of every active member go into temporary
tables; one INSERT … SELECT, a UNION ALL of one branch per policy, finds every household or
member who meets a policy's active rules and has no referral for it; the leads table is then
brought to that set by one upsert of the hits that are new or differ, and one DELETE. The
应退尽退 flags are kept the same way.

Idempotent: the upserts change a row only when something about it differs (its reason, or
the facts it was found on), so a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from access.scope import like
from households.models import Area, Enrolment, Household, Member
from matching.models import Referral
from outreach.models import ExitFlag, Lead, PolicyRule
from outreach.predicates import CATALOGUE, MEMBER
from resources.models import Resource
from reviews.models import Review, Standard

# Session-level advisory lock: one screening at a time.
SCREEN_LOCK = 0x7A6C_0401

_HH = Household._meta.db_table
_MEMBER = Member._meta.db_table
_ENROLMENT = Enrolment._meta.db_table
_COVERED = Enrolment.members.through._meta.db_table
_AREA = Area._meta.db_table
_STANDARD = Standard._meta.db_table
_REFERRAL = Referral._meta.db_table
_REVIEW = Review._meta.db_table
_NEED = Referral._meta.get_field("need").related_model._meta.db_table
_RESOURCE = Resource._meta.db_table
_LEAD = Lead._meta.db_table
_FLAG = ExitFlag._meta.db_table

_TEMPORARY = (
    "outreach_facts",
    "outreach_members",
    "outreach_given",
    "outreach_hits",
    "outreach_flag_hits",
)

# A referral that was declined or withdrawn leaves the policy not given.
_NOT_GIVEN = [Referral.Status.DECLINED, Referral.Status.CANCELLED]


@dataclass
class Policy:
    id: int
    name: str
    area_code: str
    rules: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def per_member(self) -> bool:
        return any(CATALOGUE[code].level == MEMBER for code, _p in self.rules)


@dataclass
class ScreenResult:
    policies: int = 0
    leads_found: int = 0
    leads_changed: int = 0
    leads_removed: int = 0
    flags_found: int = 0
    flags_changed: int = 0
    flags_removed: int = 0
    skipped: bool = False

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class _Params:
    """Collects values as named placeholders, so each is a parameter, never inlined."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def __call__(self, value: Any) -> str:
        name = f"v{len(self.values)}"
        self.values[name] = value
        return f"%({name})s"


def load_policies(day: dt.date) -> list[Policy]:
    """Available policies of the pool with at least one active rule, with their rules."""
    policies: dict[int, Policy] = {}
    rows = (
        PolicyRule.objects.filter(active=True, policy__kind=Resource.Kind.POLICY)
        .select_related("policy")
        .order_by("policy_id", "id")
    )
    for rule in rows:
        resource = rule.policy
        if rule.code not in CATALOGUE or not resource.is_available_on(day):
            continue
        policy = policies.setdefault(
            resource.pk, Policy(resource.pk, resource.name, resource.area_code)
        )
        policy.rules.append((rule.code, CATALOGUE[rule.code].clean(rule.params)))
    return list(policies.values())


def reason_of(policy: Policy) -> str:
    """The lead's reason in words: 家中有二级肢体残疾成员，未享受重度残疾人护理补贴."""
    member = [CATALOGUE[c].words(p) for c, p in policy.rules if CATALOGUE[c].level == MEMBER]
    household = [CATALOGUE[c].words(p) for c, p in policy.rules if CATALOGUE[c].level != MEMBER]
    parts = []
    if member:
        parts.append(_("家中有%(who)s成员") % {"who": "、".join(member)})
    if household:
        parts.append(_("家庭%(facts)s") % {"facts": "、".join(household)})
    parts.append(_("未享受%(policy)s") % {"policy": policy.name})
    return "，".join(parts)[:300]


# ---- the facts ---------------------------------------------------------------------------

# The member facts a rule may read; the fingerprint of a member's lead is taken over them.
_MEMBER_FACTS = (
    "birth_date",
    "disability_type",
    "disability_grade",
    "health",
    "schooling",
    "lives_alone",
    "labour_capacity",
    "employment",
)


def facts_select(bind: _Params, day: dt.date) -> str:
    """One row per active household: its categories, per-capita income, the standard's lines
    in force in its district, and the facts its fingerprint is taken over."""
    today = bind(day)
    return f"""
WITH std AS (
  SELECT DISTINCT ON (a.prefix) a.prefix, s.dibao, round(s.dibao * s.dibian_factor, 2) AS dibian,
         s.tekun_basic AS tekun
    FROM {_STANDARD} s JOIN {_AREA} a ON a.id = s.district_id
   WHERE s.effective_date <= {today}
   ORDER BY a.prefix, s.effective_date DESC
), inc AS (
  SELECT household_id, count(*) AS size, sum(monthly_income) AS income,
         max(updated_at) AS changed_at
    FROM {_MEMBER} WHERE status = 'active' GROUP BY household_id
), cat AS (
  SELECT household_id, array_agg(DISTINCT category_id ORDER BY category_id) AS categories
    FROM {_ENROLMENT}
   WHERE status = 'approved' AND start_date <= {today}
     AND (end_date IS NULL OR end_date >= {today})
   GROUP BY household_id
)
SELECT h.id AS household_id, h.area_code,
       coalesce(cat.categories, '{{}}')::varchar[] AS categories,
       round(inc.income / inc.size, 2) AS per_capita, inc.changed_at,
       std.dibao, std.dibian, std.tekun,
       concat_ws('|', array_to_string(cat.categories, ','), inc.size, inc.income) AS facts
  FROM {_HH} h
  LEFT JOIN inc ON inc.household_id = h.id
  LEFT JOIN cat ON cat.household_id = h.id
  LEFT JOIN std ON std.prefix = left(h.area_code, 6)
 WHERE h.status = 'active'
"""


# The household facts a rule may read (columns of `outreach_facts`), also carried on each of
# its members' rows in `outreach_members`.
_HOUSEHOLD_FACTS = ("area_code", "categories", "per_capita", "dibao", "dibian", "tekun")


def members_select() -> str:
    """The active members of active households, each with the facts its household's rules
    read: a member branch then reads one table, not a join of the two per policy."""
    columns = ", ".join(f"m.{c}" for c in _MEMBER_FACTS)
    household = ", ".join(f"f.{c}" for c in _HOUSEHOLD_FACTS)
    return f"""
SELECT m.id, m.household_id, {columns},
       concat_ws('|', {columns}) AS facts,
       {household}, f.facts AS household_facts
  FROM {_MEMBER} m JOIN outreach_facts f ON f.household_id = m.household_id
 WHERE m.status = 'active'
"""


def given_select(bind: _Params) -> str:
    """The policies already given or asked for: every referral to a policy that was not
    declined or withdrawn, with its household and (for a member's need) its member."""
    return f"""
SELECT r.resource_id, r.household_id, n.member_id
  FROM {_REFERRAL} r JOIN {_NEED} n ON n.id = r.need_id
  JOIN {_RESOURCE} p ON p.id = r.resource_id AND p.kind = 'policy'
 WHERE r.status <> ALL({bind(_NOT_GIVEN)})
"""


# A member rule narrows on one of these (an age band, a disability type, a school stage, an
# illness, unemployment): indexed, a member branch reads the few rows it is about instead of
# every member once per policy.
_MEMBER_INDEXED = ("birth_date", "disability_type", "schooling", "health", "employment")


def facts_statements(bind: _Params, day: dt.date) -> list[str]:
    """Three temporary tables, dropped at commit and ANALYZEd so each branch is planned on
    real counts: `outreach_facts` (one row per active household), `outreach_members` (its
    active members, each with the household's facts, indexed on the columns member rules
    narrow on) and `outreach_given`."""
    return [
        f"CREATE TEMPORARY TABLE outreach_facts ON COMMIT DROP AS {facts_select(bind, day)}",
        f"CREATE TEMPORARY TABLE outreach_members ON COMMIT DROP AS {members_select()}",
        f"CREATE TEMPORARY TABLE outreach_given ON COMMIT DROP AS {given_select(bind)}",
        *(f"CREATE INDEX ON outreach_members ({c})" for c in _MEMBER_INDEXED),
        "ANALYZE outreach_facts",
        "ANALYZE outreach_members",
        "ANALYZE outreach_given",
    ]


# ---- the leads -----------------------------------------------------------------------------


# In a member branch, `f` (what the household conditions read) is the member row's copy of
# its household's facts: a projection of the same row, not a join.
_HOUSEHOLD_OF_MEMBER = (
    f"SELECT m.household_id, {', '.join(f'm.{c}' for c in _HOUSEHOLD_FACTS)},"
    " m.household_facts AS facts"
)


def _branch(policy: Policy, bind: _Params, day: dt.date) -> str:
    """One policy's households (or members) that meet its rules and have no referral for it."""
    conditions = [CATALOGUE[c].where(p, day, bind) for c, p in policy.rules]
    where = " AND ".join(f"({c})" for c in conditions)
    pid = bind(policy.id)
    reason = bind(reason_of(policy))
    given = (
        "SELECT 1 FROM outreach_given g"
        f" WHERE g.household_id = f.household_id AND g.resource_id = {pid}"
    )
    if policy.per_member:
        return (
            f"SELECT {pid}::bigint AS policy_id, f.household_id, m.id AS member_id, f.area_code,"
            f" {reason}::varchar AS reason, md5(f.facts || '#' || m.facts) AS fingerprint"
            f" FROM outreach_members m CROSS JOIN LATERAL ({_HOUSEHOLD_OF_MEMBER}) f"
            f" WHERE f.area_code LIKE {bind(like(policy.area_code))} AND {where}"
            f" AND NOT EXISTS ({given} AND (g.member_id IS NULL OR g.member_id = m.id))"
        )
    return (
        f"SELECT {pid}::bigint AS policy_id, f.household_id, NULL::bigint AS member_id,"
        f" f.area_code, {reason}::varchar AS reason, md5(f.facts) AS fingerprint"
        " FROM outreach_facts f"
        f" WHERE f.area_code LIKE {bind(like(policy.area_code))} AND {where}"
        f" AND NOT EXISTS ({given})"
    )


def hits_select(policies: list[Policy], bind: _Params, day: dt.date) -> str:
    """Every lead that holds today: one SELECT, a UNION ALL of one branch per policy."""
    if not policies:
        return (
            "SELECT NULL::bigint AS policy_id, NULL::bigint AS household_id,"
            " NULL::bigint AS member_id, NULL::varchar AS area_code, NULL::varchar AS reason,"
            " NULL::varchar AS fingerprint WHERE FALSE"
        )
    return "\nUNION ALL\n".join(_branch(policy, bind, day) for policy in policies)


def lead_statements(policies: list[Policy], bind: _Params, day: dt.date) -> list[str]:
    found = f"""
CREATE TEMPORARY TABLE outreach_hits ON COMMIT DROP AS
{hits_select(policies, bind, day)}
"""
    today = bind(day)
    # A dismissed lead stays dismissed while its facts are the same; when they change, or an
    # acted lead holds again (its referral declined or withdrawn), it is open again. Only the
    # hits that are new or differ reach the upsert: on a quiet night that is almost none, and
    # ON CONFLICT would otherwise lock (and so write) every lead that is already right.
    upsert = f"""
INSERT INTO {_LEAD} AS l (uuid, created_at, updated_at, policy_id, household_id, member_id,
                         area_code, reason, state, fingerprint, found_on, dismiss_reason,
                         version)
SELECT gen_random_uuid(), now(), now(), x.policy_id, x.household_id, x.member_id,
       x.area_code, x.reason, 'open', x.fingerprint, {today}, '', 1
  FROM outreach_hits x
  LEFT JOIN {_LEAD} was
    ON was.policy_id = x.policy_id AND was.household_id = x.household_id
   AND coalesce(was.member_id, 0) = coalesce(x.member_id, 0)
 WHERE was.id IS NULL
    OR was.reason <> x.reason
    OR was.area_code <> x.area_code
    OR was.fingerprint <> x.fingerprint
    OR was.state = 'acted'
ON CONFLICT (policy_id, household_id, member_id) DO UPDATE
   SET reason = EXCLUDED.reason,
       area_code = EXCLUDED.area_code,
       fingerprint = EXCLUDED.fingerprint,
       state = CASE WHEN l.state = 'dismissed' AND l.fingerprint = EXCLUDED.fingerprint
                    THEN 'dismissed' ELSE 'open' END,
       found_on = CASE WHEN l.state = 'open' THEN l.found_on ELSE EXCLUDED.found_on END,
       version = l.version + 1,
       updated_at = now()
 WHERE l.reason <> EXCLUDED.reason
    OR l.area_code <> EXCLUDED.area_code
    OR l.fingerprint <> EXCLUDED.fingerprint
    OR l.state = 'acted'
"""
    # An open lead that no longer holds disappears; acted and dismissed ones are kept.
    gone = f"""
DELETE FROM {_LEAD} l
 WHERE l.state = 'open'
   AND NOT EXISTS (SELECT 1 FROM outreach_hits x
                    WHERE x.policy_id = l.policy_id AND x.household_id = l.household_id
                      AND coalesce(x.member_id, 0) = coalesce(l.member_id, 0))
"""
    return [found, "ANALYZE outreach_hits", upsert, gone]


# ---- 应退尽退 --------------------------------------------------------------------------------


def flags_select(bind: _Params, day: dt.date) -> str:
    """Every approved enrolment whose data now suggest it may no longer qualify.

    Income: the household's per-capita income is above the line, and its members were
    changed (a visit's income change, say) after the enrolment was decided or last reviewed:
    a review that saw the income has answered it.
    """
    today = bind(day)
    active = (
        f"e.status = 'approved' AND e.start_date <= {today}"
        f" AND (e.end_date IS NULL OR e.end_date >= {today})"
    )
    income = bind(_("家庭人均月收入%s元，高于%s%s元，请复核"))
    lines = {"dibao": bind(str(_("低保标准"))), "dibian": bind(str(_("低边标准")))}
    gone = bind(_("救助对象%s%s，请复核"))
    status_words = {
        "deceased": bind(str(Member.Status.DECEASED.label)),
        "moved_out": bind(str(Member.Status.MOVED_OUT.label)),
    }
    overdue = bind(_("临时救助已于%s到期，仍为已批准，请复核"))
    return f"""
SELECT e.id AS enrolment_id, e.household_id, f.area_code, 'income_above'::varchar AS kind,
       format({income}, f.per_capita,
              CASE e.category_id WHEN 'dibao' THEN {lines["dibao"]} ELSE {lines["dibian"]} END,
              CASE e.category_id WHEN 'dibao' THEN f.dibao ELSE f.dibian END)::varchar AS reason,
       md5(f.facts) AS fingerprint
  FROM {_ENROLMENT} e JOIN outreach_facts f ON f.household_id = e.household_id
 WHERE {active} AND e.category_id IN ('dibao', 'dibian')
   AND f.per_capita > CASE e.category_id WHEN 'dibao' THEN f.dibao ELSE f.dibian END
   AND f.changed_at > greatest(
         e.decided_at,
         -- the latest review, by the (enrolment, reviewed_on) index
         (SELECT r.created_at FROM {_REVIEW} r WHERE r.enrolment_id = e.id
           ORDER BY r.reviewed_on DESC, r.created_at DESC LIMIT 1))
UNION ALL
SELECT e.id, e.household_id, h.area_code, 'member_gone',
       format({gone}, string_agg(m.name, '、' ORDER BY m.id),
              CASE min(m.status) WHEN 'deceased' THEN {status_words["deceased"]}
                   ELSE {status_words["moved_out"]} END),
       md5(string_agg(m.id || ':' || m.status, ',' ORDER BY m.id))
  FROM {_MEMBER} m
  JOIN LATERAL (SELECT c.enrolment_id FROM {_COVERED} c WHERE c.member_id = m.id
                UNION SELECT x.id FROM {_ENROLMENT} x WHERE x.member_id = m.id) covers ON TRUE
  JOIN {_ENROLMENT} e ON e.id = covers.enrolment_id
  JOIN {_HH} h ON h.id = e.household_id
 WHERE m.status IN ('deceased', 'moved_out') AND {active} AND h.status = 'active'
 GROUP BY e.id, e.household_id, h.area_code
UNION ALL
SELECT e.id, e.household_id, h.area_code, 'linshi_overdue',
       format({overdue}, to_char(e.end_date, 'YYYY-MM-DD')), md5(e.end_date::text)
  FROM {_ENROLMENT} e JOIN {_HH} h ON h.id = e.household_id
 WHERE e.category_id = 'linshi' AND e.status = 'approved' AND e.end_date < {today}
"""


def flag_statements(bind: _Params, day: dt.date) -> list[str]:
    found = f"CREATE TEMPORARY TABLE outreach_flag_hits ON COMMIT DROP AS {flags_select(bind, day)}"
    today = bind(day)
    upsert = f"""
INSERT INTO {_FLAG} AS g (uuid, created_at, updated_at, enrolment_id, household_id, area_code,
                          kind, reason, state, fingerprint, found_on, resolve_note, version)
SELECT gen_random_uuid(), now(), now(), x.enrolment_id, x.household_id, x.area_code, x.kind,
       x.reason, 'open', x.fingerprint, {today}, '', 1
  FROM outreach_flag_hits x
ON CONFLICT (enrolment_id, kind) DO UPDATE
   SET reason = EXCLUDED.reason,
       area_code = EXCLUDED.area_code,
       fingerprint = EXCLUDED.fingerprint,
       state = CASE WHEN g.state = 'resolved' AND g.fingerprint = EXCLUDED.fingerprint
                    THEN 'resolved' ELSE 'open' END,
       found_on = CASE WHEN g.state = 'open' THEN g.found_on ELSE EXCLUDED.found_on END,
       version = g.version + 1,
       updated_at = now()
 WHERE g.reason <> EXCLUDED.reason
    OR g.area_code <> EXCLUDED.area_code
    OR g.fingerprint <> EXCLUDED.fingerprint
"""
    gone = f"""
DELETE FROM {_FLAG} g
 WHERE g.state = 'open'
   AND NOT EXISTS (SELECT 1 FROM outreach_flag_hits x
                    WHERE x.enrolment_id = g.enrolment_id AND x.kind = g.kind)
"""
    return [found, upsert, gone]


def run(day: dt.date) -> ScreenResult:
    """The whole screening inside the caller's transaction (see services.outreach_screen)."""
    result = ScreenResult()
    policies = load_policies(day)
    result.policies = len(policies)
    bind = _Params()
    statements = [
        *facts_statements(bind, day),
        *lead_statements(policies, bind, day),
        *flag_statements(bind, day),
    ]
    counts: list[int] = []
    with connection.cursor() as cursor:
        # Dropped at commit; dropped here too for a run inside a longer transaction (tests).
        cursor.execute(f"DROP TABLE IF EXISTS {', '.join(_TEMPORARY)}")
        # The planner's estimates for the temporary tables can trigger JIT compilation that
        # costs more than the statements.
        cursor.execute("SET LOCAL jit = off")
        for sql in statements:
            cursor.execute(sql, {k: v for k, v in bind.values.items() if f"%({k})s" in sql})
            counts.append(cursor.rowcount)
        cursor.execute(f"DROP TABLE {', '.join(_TEMPORARY)}")
    # After the facts: hits, analyze, upsert, delete; flag hits, upsert, delete.
    found, _analyze, changed, removed, flags, flags_changed, flags_removed = counts[-7:]
    result.leads_found, result.leads_changed, result.leads_removed = found, changed, removed
    result.flags_found, result.flags_changed, result.flags_removed = (
        flags,
        flags_changed,
        flags_removed,
    )
    return result


def try_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SCREEN_LOCK])
        return bool(cursor.fetchone()[0])
