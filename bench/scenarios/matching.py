"""Matching at district scale: 50,000 open needs against 10,000 resources.

Data: made once in the bench database by set-based SQL (INSERT … SELECT over the seeded
households and areas), deterministic, and only when not already there. Needs are tagged
`bench:matching` in their description, resources and providers by their name. Resources sit
2% at the district, 8% in streets, 45% in communities and 45% in grids, so a need has about
120 candidates of its type: some 6 million candidate pairs in all.

(1) Batch matching end to end: `matching.services.match_run` over the whole district, from
    the database to every referral written, every need marked matched and every unit taken,
    with the history triggers on and the checks a commit would make forced; then the
    transaction is rolled back so that every run starts from the same open needs. The
    touched tables are vacuumed before each run (`Case.reset`), outside the timing: a real
    run does not pay for that. References, on the same data:
    - the computation alone (`open_needs_in` + `resources_for_area` + `engine.allocate`);
    (a) the bare SQL join listing the candidate pairs (area and type, by a hash join on the
        need's four area prefixes), counted in the server so that no row travels;
    (b) a naive Python loop, each need against every resource with the same scoring, on a
        sample of needs; the note extrapolates it linearly to all needs;
    (c) the run's writes alone as one bare SQL statement, from the assignments worked out
        once beforehand: the same needs marked matched, the same referrals, units and stock
        issues, the same triggers (history), foreign keys and the commit's checks, then
        rolled back. What PostgreSQL itself needs for what a run writes: the floor of (1)'s
        write part, with no Python and no re-checks.
(2) One need's suggestions: `matching.candidates.need_suggestions` (two statements and the
    ranking). Reference: the candidate statement alone.
"""

from __future__ import annotations

import time
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from bench.runner import Case, Context, Skip, scenario

NEEDS = 50_000
RESOURCES = 10_000
NAIVE_SAMPLE = 100
TAG = "bench:matching"

_PROVIDERS_SQL = """
INSERT INTO resources_provider
    (uuid, created_at, updated_at, kind, name, area_id, area_code, contact_name,
     contact_phone, address, description, active, version)
SELECT gen_random_uuid(), now(), now(),
       (ARRAY['government','social_org','unit','company','volunteer','party_member'])
           [1 + a.id %% 6],
       'bench:' || a.code, a.id, a.prefix, '', '', '', '', true, 1
FROM households_area a
WHERE NOT EXISTS (SELECT 1 FROM resources_provider p WHERE p.name = 'bench:' || a.code)
"""

# Resource i: its level by i % 100 (2% district, 8% street, 45% community, 45% grid), its
# area among that level's by a hash of i, one need type, half of them one subtype, policies
# always for one category, services 1–5 a month, goods 1–10 in stock.
_RESOURCES_SQL = """
WITH levels AS (
    SELECT level, array_agg(id ORDER BY code) AS ids FROM households_area GROUP BY level
), spec AS (
    SELECT i,
           CASE WHEN i %% 100 < 2 THEN 'district' WHEN i %% 100 < 10 THEN 'street'
                WHEN i %% 100 < 55 THEN 'community' ELSE 'grid' END AS level,
           CASE WHEN i %% 10 < 2 THEN 'policy' WHEN i %% 10 < 6 THEN 'service'
                ELSE 'goods' END AS kind,
           (ARRAY['survival','care','development'])[1 + i %% 3] AS need_type
    FROM generate_series(0, %(n)s - 1) AS i
), placed AS (
    SELECT s.*, l.ids[1 + (s.i * 7919) %% cardinality(l.ids)] AS area_id
    FROM spec s JOIN levels l USING (level)
)
INSERT INTO resources_resource
    (uuid, created_at, updated_at, provider_id, kind, pool_list, name, description,
     department, categories, need_types, need_subtypes, area_id, area_code, capacity,
     period, stock, unit, active, version)
SELECT gen_random_uuid(), now(), now(), p.id, x.kind,
       CASE x.kind WHEN 'policy' THEN 'policy' ELSE 'social_org' END,
       'bench:' || x.i, '', '',
       CASE WHEN x.kind = 'policy' OR x.i %% 7 = 0
            THEN ARRAY[(ARRAY['dibao','tekun','dibian','zhichu','linshi'])[1 + x.i %% 5]]
            ELSE ARRAY[]::varchar[] END,
       ARRAY[x.need_type],
       CASE WHEN x.i %% 2 = 0 THEN ARRAY[]::varchar[]
            ELSE ARRAY[(CASE x.need_type
                 WHEN 'survival' THEN ARRAY['living','medical','housing','goods']
                 WHEN 'care' THEN ARRAY['companionship','daily_care','psychological',
                                        'rehabilitation']
                 ELSE ARRAY['schooling','employment','skills','legal'] END)
                 [1 + (x.i / 2) %% 4]] END,
       a.id, a.prefix,
       CASE WHEN x.kind = 'service' THEN 1 + x.i %% 5 END, 'month',
       CASE WHEN x.kind = 'goods' THEN 1 + x.i %% 10 END,
       '次', true, 1
FROM placed x
JOIN households_area a ON a.id = x.area_id
JOIN resources_provider p ON p.name = 'bench:' || a.code
"""

# Need j on the j-th active household (wrapping): type by j % 3, subtype by j / 3,
# urgency 1–4; one in five wants two units.
_NEEDS_SQL = """
WITH homes AS (
    SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM households_household
    WHERE status = 'active'
), n AS (SELECT count(*) AS c FROM homes), spec AS (
    SELECT j, (ARRAY['survival','care','development'])[1 + j %% 3] AS type
    FROM generate_series(0, %(n)s - 1) AS j
)
INSERT INTO matching_need
    (uuid, created_at, updated_at, household_id, type, subtype, urgency, source, status,
     description, quantity, area_code, requester_phone, close_reason, version)
SELECT gen_random_uuid(), now(), now(), h.id, s.type,
       (CASE s.type WHEN 'survival' THEN ARRAY['living','medical','housing','goods']
                    WHEN 'care' THEN ARRAY['companionship','daily_care','psychological',
                                           'rehabilitation']
                    ELSE ARRAY['schooling','employment','skills','legal'] END)
           [1 + (s.j / 3) %% 4],
       1 + (s.j * 7) %% 4, 'visit', 'open', %(tag)s, CASE WHEN s.j %% 5 = 0 THEN 2 ELSE 1 END,
       '', '', '', 1
FROM spec s CROSS JOIN n JOIN homes h ON h.k = (s.j * 2) %% n.c
"""

_PAIRS_SQL = """
SELECT count(*)
FROM matching_need n
JOIN households_household h ON h.id = n.household_id
CROSS JOIN LATERAL unnest(ARRAY[left(h.area_code, 6), left(h.area_code, 9),
                                left(h.area_code, 12), h.area_code]) AS p(code)
JOIN resources_resource r ON r.area_code = p.code AND n.type = ANY(r.need_types)
WHERE n.status = 'open' AND h.status = 'active' AND r.active
"""


def _count(sql: str, params: Any = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _ensure_data() -> str:
    """Make the providers, resources and needs unless a previous run left them."""
    from matching.models import Need
    from resources.models import Resource

    started = time.perf_counter()
    made = []
    with transaction.atomic():
        if not Resource.objects.filter(name__startswith="bench:").exists():
            with connection.cursor() as cursor:
                cursor.execute(_PROVIDERS_SQL, {})
                cursor.execute(_RESOURCES_SQL, {"n": RESOURCES})
            made.append(f"{RESOURCES} resources")
        if not Need.objects.filter(description=TAG).exists():
            with connection.cursor() as cursor:
                cursor.execute(_NEEDS_SQL, {"n": NEEDS, "tag": TAG})
            made.append(f"{NEEDS} needs")
    if made:
        with connection.cursor() as cursor:
            for table in ("resources_resource", "resources_provider", "matching_need"):
                cursor.execute(f"ANALYZE {table}")
        return f"made {' and '.join(made)} in {time.perf_counter() - started:.1f} s"
    return "needs and resources already there"


def _check_scale() -> tuple[int, int]:
    from matching.models import Need
    from resources.models import Resource

    needs = Need.objects.filter(status="open", household__isnull=False).count()
    resources = Resource.objects.filter(active=True).count()
    if needs < NEEDS or resources < RESOURCES:
        raise Skip(f"only {needs} open needs and {resources} resources")
    return needs, resources


def _district(context: Context) -> Any:
    from households.models import Area

    return Area.objects.get(prefix=context.admin.area.prefix)


def _run_and_undo(fn: Any) -> Any:
    """Run `fn`, make the checks a commit would make, roll back."""

    def run() -> Any:
        with transaction.atomic():
            result = fn()
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            transaction.set_rollback(True)
        return result

    return run


def _vacuum() -> None:
    """Clear what a rolled-back run left in the tables it touched (the bench's, untimed)."""
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {', '.join(_TOUCHED)}")


_TOUCHED = (
    "matching_referral",
    "matching_need",
    "matching_matchrun",
    "resources_resourceusage",
    "resources_stockmovement",
    "resources_resource",
    "matching_needevent",
    "matching_referralevent",
    "matching_matchrunevent",
    "resources_stockmovementevent",
    "resources_resourceevent",
)


# ---- (b) the naive loop ----------------------------------------------------------------


def _naive(needs: list, resources: list) -> list[tuple[int, int]]:
    """Each need, most urgent first, against every resource: the best that fits and has
    units left. The obvious code, with the same scoring as ours."""
    from matching import engine

    remaining = {r.id: r.remaining for r in resources}
    chosen = []
    for need in sorted(needs, key=lambda n: (-n.urgency, n.id)):
        best, best_score = None, None
        for resource in resources:
            left = remaining[resource.id]
            if left is not None and left < need.quantity:
                continue
            if not engine.is_candidate(need, resource):
                continue
            points = engine.score(need, resource)
            if best_score is None or points > best_score:
                best, best_score = resource, points
        if best is not None:
            if remaining[best.id] is not None:
                remaining[best.id] -= need.quantity
            chosen.append((need.id, best.id))
    return chosen


# (c): every write of a run in one statement. Data-modifying CTEs all run, and the triggers
# of each table fire once at the end of the statement, as in the run.
_WRITES_SQL = """
WITH v AS (
    SELECT * FROM unnest(%(needs)s::bigint[], %(resources)s::bigint[], %(quantities)s::int[],
                         %(scores)s::int[])
         WITH ORDINALITY AS v(need_id, resource_id, quantity, score, k)
), res AS (
    SELECT r.id, r.kind, r.provider_id,
           CASE r.period WHEN 'week' THEN %(week)s::date WHEN 'month' THEN %(month)s::date
                         WHEN 'year' THEN %(year)s::date ELSE %(total)s::date END AS period
    FROM resources_resource r WHERE r.id IN (SELECT resource_id FROM v)
), units AS (
    SELECT v.resource_id, sum(v.quantity) AS n FROM v GROUP BY v.resource_id
), claimed AS (
    UPDATE matching_need n SET status = 'matched', version = n.version + 1, updated_at = now()
    FROM v WHERE n.id = v.need_id AND n.status = 'open'
    RETURNING n.id, n.household_id
), made AS (
    INSERT INTO matching_referral (
        uuid, created_at, updated_at, need_id, resource_id, provider_id, household_id, status,
        quantity, period_start, score, reasons, note, match_run_id, proposed_by_id,
        proposed_at, decline_reason, delivery_note, outcome, confirm_note, close_reason,
        version)
    SELECT (%(uuid_prefix)s::text || lpad(to_hex(%(uuid_start)s::bigint + v.k), 12, '0'))::uuid,
           now(), now(), v.need_id, v.resource_id, res.provider_id,
           c.household_id, 'proposed', v.quantity,
           CASE WHEN res.kind = 'service' THEN res.period END, v.score, '[]'::jsonb, '',
           NULL, NULL, now(), '', '', '', '', '', 1
    FROM v JOIN claimed c ON c.id = v.need_id JOIN res ON res.id = v.resource_id
    RETURNING id, resource_id, quantity
), stock AS (
    UPDATE resources_resource r SET stock = r.stock - units.n
    FROM units JOIN res ON res.id = units.resource_id
    WHERE r.id = units.resource_id AND res.kind = 'goods'
    RETURNING r.id
), used AS (
    INSERT INTO resources_resourceusage (resource_id, period_start, used)
    SELECT units.resource_id, res.period, units.n
    FROM units JOIN res ON res.id = units.resource_id WHERE res.kind = 'service'
    ON CONFLICT (resource_id, period_start)
    DO UPDATE SET used = resources_resourceusage.used + EXCLUDED.used
    RETURNING resource_id
)
INSERT INTO resources_stockmovement (
    created_at, updated_at, supplier, resource_id, kind, quantity, referral_id, actor_id, note)
SELECT now(), now(), '', made.resource_id, %(given)s, made.quantity, made.id, NULL, ''
FROM made JOIN res ON res.id = made.resource_id WHERE res.kind = 'goods'
"""


def _bare_writes(assignments: list) -> Any:
    """(c): the writes of `assignments` in one statement, the commit's checks, rolled back."""
    from core.ids import uuid7_block
    from core.pgarrays import int_array
    from matching.candidates import period_starts
    from resources.models import StockMovement

    params = {
        "needs": int_array([a.need_id for a in assignments]),
        "resources": int_array([a.resource_id for a in assignments]),
        "quantities": int_array([a.quantity for a in assignments]),
        "scores": int_array([a.score for a in assignments]),
        "given": StockMovement.Kind.GIVEN.value,
        **period_starts(timezone.localdate()),
    }

    def run() -> None:
        uuid_prefix, uuid_start = uuid7_block()  # time-ordered, as the run's
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL work_mem = '64MB'")
                cursor.execute(
                    _WRITES_SQL, {**params, "uuid_prefix": uuid_prefix, "uuid_start": uuid_start}
                )
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            transaction.set_rollback(True)

    return run


def _compute(prefix: str) -> list:
    """The run's reads and allocation, exactly as the run makes them (`batch.plan`)."""
    from matching.services.batch import plan

    return plan(prefix, day=timezone.localdate())[1]


@scenario("matching (1) batch run end to end, 50,000 needs × 10,000 resources")
def batch_run(context: Context) -> Case:
    from matching import services
    from matching.candidates import open_needs_in, resources_for_area

    made = _ensure_data()
    needs_count, resources_count = _check_scale()
    district = _district(context)
    prefix = district.prefix
    run = _run_and_undo(lambda: services.match_run(actor=context.admin, area=district))
    _vacuum()
    once = run()
    _vacuum()
    today = timezone.localdate()
    needs = open_needs_in(prefix, today=today)
    resources = resources_for_area(prefix, today=today)
    sample = needs[:: max(1, len(needs) // NAIVE_SAMPLE)][:NAIVE_SAMPLE]
    started = time.perf_counter()
    _naive(sample, resources)
    naive_s = (time.perf_counter() - started) * len(needs) / len(sample)
    started = time.perf_counter()
    run()
    ours_s = time.perf_counter() - started
    _vacuum()
    writes = _bare_writes(_compute(prefix))
    note = (
        f"{made}; {needs_count} open needs, {resources_count} resources; writes "
        f"{once.referrals_made} referrals (and their history), marks as many needs matched, "
        "takes their units, includes the commit's foreign-key checks (the VACUUM that undoes "
        f"a rolled-back run is untimed); (b) is a {len(sample)}-need sample against all resources: "
        f"×{len(needs) / len(sample):.0f} ≈ {naive_s:.0f} s for all needs, about "
        f"{naive_s / ours_s:.0f}× ours end to end (one run each, at preparation)"
    )
    return Case(
        ours=run,
        reset=_vacuum,
        references=[
            ("computation alone (read, score, allocate; no writes)", lambda: _compute(prefix)),
            (
                "(a) bare SQL candidate-pair join, count(*) in the server",
                lambda: _count(_PAIRS_SQL),
            ),
            (
                f"(b) naive Python loop, {len(sample)}-need sample",
                lambda: _naive(sample, resources),
            ),
            ("(c) the same writes alone, one bare SQL statement, rolled back", writes),
        ],
        note=note,
    )


@scenario("matching (2) one need's suggestions at 50,000 × 10,000")
def suggestions(context: Context) -> Case:
    from matching.candidates import need_input, need_suggestions, resources_for_need
    from matching.models import Need

    _ensure_data()
    _check_scale()
    today = timezone.localdate()
    # A need in the middle of the pack, with the district, its street, community and grid
    # all holding resources of its type.
    need = Need.objects.filter(description=TAG, status="open").order_by("id")[NEEDS // 2]
    wanted = need_input(need, today=today)
    rows = need_suggestions(need, today=today)
    return Case(
        ours=lambda: need_suggestions(need, today=today),
        references=[
            ("candidate SQL statement alone", lambda: resources_for_need(wanted, today=today)),
        ],
        note=f"{len(resources_for_need(wanted, today=today))} candidates, {len(rows)} shown",
    )
