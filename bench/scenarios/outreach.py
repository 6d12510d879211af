"""政策找人: the nightly screening over every household, 60 policies with rules.

Ours is `outreach.services.outreach_screen`: one transaction that puts the household and
member facts into temporary tables, finds the leads (one INSERT … SELECT, a branch per
policy), upserts them, drops the open ones that no longer hold, and does the same for the
应退尽退 flags; with the history triggers of both tables. The reference (a) is the one
statement an engineer would write for the same leads, with no temporary tables: the
household facts as a MATERIALIZED CTE (computed once, by the same query as ours), each
active member joined to them once in a second MATERIALIZED CTE, a branch per policy that
filters those rows with the same catalogue conditions (UNION ALL), and the referrals that
rule a lead out checked once on the union, against the referral and need tables; one plain
INSERT into the emptied table (no flags, no upsert). Both start from emptied lead and flag
tables; the two lead sets are compared once.

The re-run: ours again on a screened database (it must change no row), beside (a)'s
SELECT alone (what a run reads, without writing anything).

The demo has 9 policies with rules; the first run here adds policies (narrow groups: an age
band, a disability type and grade, a school stage, each mostly for one category; a third of
them for one street) until 60 carry rules.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import connection, transaction
from django.utils import timezone

from access.scope import like
from bench.runner import Case, Context, Skip, scenario
from households.models import Area, Member
from outreach import screening
from outreach.models import Lead, PolicyRule
from outreach.predicates import CATALOGUE
from outreach.services import outreach_screen, policy_rule_create
from resources.models import Provider, Resource
from resources.services import provider_create, resource_create

POLICIES = 60

# Each policy is for a narrow group, as real ones are: most name the categories they serve.
_TEMPLATES: list[tuple[str, str, str, list[tuple[str, dict]]]] = [
    (
        "高龄津贴（%s岁以上）",
        "survival",
        "living",
        [("age", {"min_age": 0}), ("enrolled", {"categories": []})],
    ),
    ("重度残疾人护理补贴（%s）", "care", "daily_care", [("disability", {"max_grade": 0})]),
    (
        "困难学生资助（%s）",
        "development",
        "schooling",
        [("schooling", {"levels": []}), ("enrolled", {"categories": []})],
    ),
    (
        "大病救助（%s）",
        "survival",
        "medical",
        [("illness", {"health": ["serious"]}), ("enrolled", {"categories": []})],
    ),
    (
        "困难群众价格补贴（%s%%）",
        "survival",
        "living",
        [
            ("income_below", {"line": "dibao", "percent": 0}),
            ("not_enrolled", {"categories": ["dibao", "tekun", "dibian", "zhichu", "linshi"]}),
        ],
    ),
    (
        "就业困难人员援助（%s）",
        "development",
        "employment",
        [
            ("unemployed", {}),
            ("age", {"min_age": 0, "max_age": 0}),
            ("enrolled", {"categories": []}),
        ],
    ),
]
_CATEGORY_SETS = [["dibao"], ["tekun"], ["dibian"], ["zhichu"], ["dibao", "tekun"]]
_TYPES = [v for v in Member.DisabilityType.values if v]


def _vary(code: str, params: dict, rng: random.Random) -> dict:
    """A template rule's parameters, with its zero or empty thresholds filled in."""
    p = dict(params)
    if code == "age" and p.get("max_age") == 0:
        p["min_age"], p["max_age"] = rng.choice([(16, 29), (30, 44), (45, 59), (50, 59)])
    elif code == "age" and p.get("min_age") == 0:
        p["min_age"] = rng.choice([80, 85, 90, 95, 100])
    if code == "disability":
        types = rng.sample(_TYPES, rng.randint(1, 3))
        p = {"types": types, "max_grade": rng.randint(1, 2)}
    if code == "schooling":
        p["levels"] = [rng.choice(["primary", "junior", "senior", "higher"])]
    if code in ("enrolled", "not_enrolled") and p.get("categories") == []:
        p["categories"] = rng.choice(_CATEGORY_SETS)
    if code == "income_below" and p.get("percent") == 0:
        p["percent"] = rng.choice([40, 50, 60])
    return p


def _prepare_policies() -> int:
    """Policies with active rules, topped up to POLICIES once (deterministic)."""
    have = PolicyRule.objects.filter(active=True).values("policy").distinct().count()
    if have >= POLICIES:
        return have
    district = Area.objects.filter(level=Area.Level.DISTRICT).order_by("code").first()
    streets = list(Area.objects.filter(level=Area.Level.STREET).order_by("code"))
    if district is None:
        raise Skip("no demo areas")
    rng = random.Random(2026)
    provider = Provider.objects.filter(name="姑苏区民政局").first() or provider_create(
        actor=None, kind=Provider.Kind.GOVERNMENT, name="姑苏区民政局", area=district
    )
    with transaction.atomic():
        for n in range(POLICIES - have):
            name, need, subtype, rules = _TEMPLATES[n % len(_TEMPLATES)]
            area = district if n % 3 else streets[n % len(streets)]
            varied = [(code, _vary(code, params, rng)) for code, params in rules]
            label = next(iter(varied[0][1].values()), "")
            policy = resource_create(
                actor=None,
                provider=provider,
                kind=Resource.Kind.POLICY,
                name=f"{name % str(label)[:12]}·{n + 1}",
                area=area,
                need_types=[need],
                need_subtypes=[subtype],
            )
            for code, params in varied:
                policy_rule_create(actor=None, policy=policy, code=code, params=params)
    return PolicyRule.objects.filter(active=True).values("policy").distinct().count()


def _empty() -> None:
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE outreach_lead, outreach_exitflag")


def _leads() -> set[tuple[int, int, int | None]]:
    return set(Lead.objects.values_list("policy_id", "household_id", "member_id"))


def _bare_branch(policy: screening.Policy, bind: screening._Params, day: dt.date) -> str:
    """One policy's rows, filtered on its catalogue conditions: over `people` (a member and
    its household's facts, seen as `m` and `f`) or over `facts` (`f`)."""
    where = " AND ".join(f"({CATALOGUE[c].where(p, day, bind)})" for c, p in policy.rules)
    head = f"SELECT {bind(policy.id)}::bigint AS policy_id, f.household_id, "
    within = f"f.area_code LIKE {bind(like(policy.area_code))}"
    if policy.per_member:
        return (
            f"{head}m.id AS member_id, f.area_code, {bind(screening.reason_of(policy))}::varchar"
            " AS reason, md5(f.facts || '#' || m.facts) AS fingerprint"
            " FROM people m CROSS JOIN LATERAL (SELECT m.household_id, m.area_code,"
            " m.categories, m.per_capita, m.dibao, m.dibian, m.tekun, m.household_facts AS facts) f"
            f" WHERE {within} AND {where}"
        )
    return (
        f"{head}NULL::bigint AS member_id, f.area_code,"
        f" {bind(screening.reason_of(policy))}::varchar AS reason, md5(f.facts) AS fingerprint"
        f" FROM facts f WHERE {within} AND {where}"
    )


def _bare_sql(day: dt.date) -> tuple[str, dict]:
    """The reference: the facts once, each member joined to them once, a branch per policy
    filtering those rows, and the referrals that rule a row out checked once on the union."""
    bind = screening._Params()
    policies = screening.load_policies(day)
    facts = screening.facts_select(bind, day)
    columns = ", ".join(f"m.{c}" for c in screening._MEMBER_FACTS)
    branches = "\nUNION ALL\n".join(_bare_branch(p, bind, day) for p in policies)
    sql = f"""
INSERT INTO outreach_lead (uuid, created_at, updated_at, policy_id, household_id, member_id,
                           area_code, reason, state, fingerprint, found_on, dismiss_reason,
                           version)
WITH facts AS MATERIALIZED ({facts}),
people AS MATERIALIZED (
  SELECT m.id, m.household_id, {columns}, concat_ws('|', {columns}) AS facts,
         f.area_code, f.categories, f.per_capita, f.dibao, f.dibian, f.tekun,
         f.facts AS household_facts
    FROM {screening._MEMBER} m JOIN facts f ON f.household_id = m.household_id
   WHERE m.status = 'active'
),
hits AS ({branches})
SELECT gen_random_uuid(), now(), now(), x.policy_id, x.household_id, x.member_id, x.area_code,
       x.reason, 'open', x.fingerprint, %(day)s, '', 1
  FROM hits x
 WHERE NOT EXISTS (
   SELECT 1 FROM {screening._REFERRAL} r JOIN {screening._NEED} n ON n.id = r.need_id
    WHERE r.household_id = x.household_id AND r.resource_id = x.policy_id
      AND r.status <> ALL({bind(screening._NOT_GIVEN)})
      AND (x.member_id IS NULL OR n.member_id IS NULL OR n.member_id = x.member_id))
"""
    return sql, {**bind.values, "day": day}


def _bare_select(day: dt.date) -> tuple[str, dict]:
    sql, params = _bare_sql(day)
    select = sql[sql.index("WITH facts") :]
    return select, params


def _run(sql: str, params: dict) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        return cursor.rowcount


@scenario("outreach: nightly screening, 60 policies, leads from empty")
def screen_fresh(context: Context) -> Case:
    policies = _prepare_policies()
    day = timezone.localdate()
    sql, params = _bare_sql(day)
    _empty()
    result = outreach_screen(today=day)
    mine = _leads()
    _empty()
    bare_rows = _run(sql, params)
    same = "same leads" if _leads() == mine else "LEADS DIFFER"
    _empty()
    return Case(
        ours=lambda: outreach_screen(today=day),
        references=[("(a) one bare INSERT … SELECT of the same leads", lambda: _run(sql, params))],
        reset=_empty,
        note=f"{policies} policies with rules; leads {result.leads_found:,} (bare {bare_rows:,}), "
        f"{same} (checked once); flags {result.flags_found:,}; both from emptied tables",
    )


@scenario("outreach: nightly screening re-run, nothing to change")
def screen_rerun(context: Context) -> Case:
    _prepare_policies()
    day = timezone.localdate()
    select, params = _bare_select(day)
    _empty()
    outreach_screen(today=day)
    before = sorted(Lead.objects.values_list("id", "version", "state"))
    again = [outreach_screen(today=day) for _ in range(2)]
    steady = sorted(Lead.objects.values_list("id", "version", "state")) == before
    changed = max(r.leads_changed + r.leads_removed + r.flags_changed for r in again)
    return Case(
        ours=lambda: outreach_screen(today=day),
        references=[
            ("(a) the bare SELECT alone (reads, writes nothing)", lambda: _run(select, params))
        ],
        note=f"rows changed by a re-run: {changed}; leads {'unchanged' if steady else 'CHANGED'}",
    )
