"""救助审批 with 2,000 applications pending, and the district's overdue working list.

The approvals page (page 1, and a page filtered by the busiest street, its commonest pending
category and 30 days waited) is put beside the raw SQL for the same rows: the page's 25
applications with what each card shows (head, community, members covered, the household's
size and income, the worker who took it) and the total. The district admin's overdue
working list (逾期跟进) is put beside the raw SQL for its rows (the 50 oldest overdue
follow-ups with household, head and assignee) and their count. Both pages read in a fixed
number of queries (see the ours-queries column
and tests/households/test_approvals.py, tests/cases/test_reassign.py).

Pending applications are topped up to 2,000 once, by one INSERT … SELECT (household, its
active members covered, days waited spread over 60 days), when the seed has fewer.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from access.scope import like
from bench.runner import Case, Context, Skip, scenario
from cases.models import FollowUp
from households.filters import submitted_before
from households.models import Enrolment

PENDING = 2_000
# The filtered page's wait: long enough to leave some of the street's applications out.
WAITED = 30
_CARD = re.compile(r'data-enrolment="([0-9a-f-]{36})"')
_FOLLOWUP = re.compile(r'name="followup" value="([0-9a-f-]{36})"')

_TOP_UP = """
WITH picked AS (
    SELECT h.id, h.worker_id FROM households_household h
    WHERE h.status = 'active'
      AND NOT EXISTS (SELECT 1 FROM households_enrolment e
                      WHERE e.household_id = h.id AND e.status = 'applied')
    ORDER BY h.id LIMIT %(n)s
),
made AS (
    INSERT INTO households_enrolment (uuid, created_at, updated_at, household_id, member_id,
        category_id, status, start_date, end_date, monthly_amount, review_due, reason,
        applied_by_id, decided_by_id, decided_at, decision_reason, version)
    SELECT gen_random_uuid(), now() - (p.id %% 60) * interval '1 day', now(), p.id, NULL,
        CASE WHEN p.id %% 3 = 0 THEN 'dibao' ELSE 'zhichu' END, 'applied',
        current_date, NULL, 300 + p.id %% 500, NULL, '', p.worker_id, NULL, NULL, '', 1
    FROM picked p
    RETURNING id, household_id
)
INSERT INTO households_enrolment_members (enrolment_id, member_id)
SELECT made.id, m.id FROM made
JOIN households_member m ON m.household_id = made.household_id AND m.status = 'active'
"""


def _pending() -> int:
    return Enrolment.objects.filter(status=Enrolment.Status.APPLIED).count()


def _prepare_pending() -> int:
    missing = PENDING - _pending()
    if missing > 0:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_TOP_UP, {"n": missing})
    return _pending()


_PENDING_SQL = """
SELECT e.uuid, head.name, a.name, pa.name, h.address, c.name, e.monthly_amount,
    u.display_name, e.created_at,
    ARRAY(SELECT m.name FROM households_enrolment_members em
          JOIN households_member m ON m.id = em.member_id
          WHERE em.enrolment_id = e.id ORDER BY em.id) AS covered,
    (SELECT count(*) FROM households_member m
     WHERE m.household_id = e.household_id AND m.status = 'active') AS size,
    (SELECT sum(m.monthly_income) FROM households_member m
     WHERE m.household_id = e.household_id AND m.status = 'active') AS income
FROM households_enrolment e
JOIN households_household h ON h.id = e.household_id
JOIN households_area a ON a.id = h.area_id
LEFT JOIN households_area pa ON pa.id = a.parent_id
LEFT JOIN households_member head ON head.id = h.head_id
JOIN households_category c ON c.code = e.category_id
LEFT JOIN households_user u ON u.id = e.applied_by_id
WHERE e.status = 'applied' AND h.area_code LIKE %(scope)s {extra}
ORDER BY e.id LIMIT 25
"""

_PENDING_COUNT = """
SELECT count(*) FROM (
    SELECT 1 FROM households_enrolment e JOIN households_household h ON h.id = e.household_id
    WHERE e.status = 'applied' AND h.area_code LIKE %(scope)s {extra} LIMIT 10001
) capped
"""

_FILTERED = " AND h.area_code LIKE %(street)s AND e.category_id = %(category)s" + (
    " AND e.created_at < %(before)s"
)


def _busiest_street(scope: str) -> tuple[str, str, str]:
    """The street and category with the most pending applications, so that the filtered page
    has rows whatever categories the seed left pending (the demo's are 低保 and 低边)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.code, a.prefix, e.category_id FROM households_enrolment e"
            " JOIN households_household h ON h.id = e.household_id"
            " JOIN households_area a ON a.prefix = left(h.area_code, 9)"
            " WHERE e.status = 'applied' AND h.area_code LIKE %s"
            " GROUP BY a.code, a.prefix, e.category_id"
            " ORDER BY count(*) DESC, a.code, e.category_id LIMIT 1",
            [scope],
        )
        row = cursor.fetchone()
    if row is None:
        raise Skip("no pending application")
    return row


def _approvals_case(context: Context, *, filtered: bool) -> Case:
    pending = _prepare_pending()
    if pending < PENDING:
        raise Skip(f"only {pending} applications could be made pending")
    admin = context.admin
    client = context.client("admin")
    scope = like(admin.area.prefix)
    query: dict[str, str] = {}
    params: dict[str, Any] = {"scope": scope}
    extra = ""
    if filtered:
        code, prefix, category = _busiest_street(scope)
        query = {"street": code, "category": category, "waited": str(WAITED)}
        params.update(street=like(prefix), category=category, before=submitted_before(WAITED))
        extra = _FILTERED
    url = reverse("households:enrolments_pending")

    def ours() -> Any:
        response = client.get(url, query)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return response

    def raw() -> tuple[list[tuple], int]:
        with connection.cursor() as cursor:
            cursor.execute(_PENDING_SQL.format(extra=extra), params)
            rows = cursor.fetchall()
            cursor.execute(_PENDING_COUNT.format(extra=extra), params)
            return rows, cursor.fetchone()[0]

    def rows(result: Any) -> list[str]:
        if hasattr(result, "content"):
            return _CARD.findall(result.content.decode())
        return [str(row[0]) for row in result[0]]

    total = raw()[1]
    what = (
        f"street {query['street']}, {query['category']}, waited {WAITED} days or more"
        if filtered
        else "page 1"
    )
    return Case(
        ours=ours,
        references=[("raw SQL for the same rows and the total", raw)],
        rows=rows,
        note=f"{pending:,} pending; {what}: {total:,} match; ours = HTTP + session + the "
        "filter's areas + one query for the 25 cards + the capped count + template",
    )


@scenario("approvals: page 1 of 2,000 pending applications")
def approvals_first_page(context: Context) -> Case:
    return _approvals_case(context, filtered=False)


@scenario("approvals: a filtered page (street, category, waited) of 2,000 pending")
def approvals_filtered_page(context: Context) -> Case:
    return _approvals_case(context, filtered=True)


# ---- the district's overdue working list ---------------------------------------------

_OVERDUE_SQL = """
SELECT f.uuid, head.name, h.address, a.name, f.due, f.tier, u.display_name, ua.name
FROM cases_followup f
JOIN households_household h ON h.id = f.household_id
JOIN households_area a ON a.id = h.area_id
LEFT JOIN households_member head ON head.id = h.head_id
LEFT JOIN households_user u ON u.id = f.assignee_id
LEFT JOIN households_area ua ON ua.id = u.area_id
WHERE f.status = 'open' AND f.due < %(today)s AND h.area_code LIKE %(scope)s
ORDER BY f.due, f.id LIMIT 50
"""

_OVERDUE_COUNT = """
SELECT count(*) FROM cases_followup f JOIN households_household h ON h.id = f.household_id
WHERE f.status = 'open' AND f.due < %(today)s AND h.area_code LIKE %(scope)s
"""


def _prepare_followups() -> None:
    if not FollowUp.objects.filter(status=FollowUp.Status.OPEN).exists():
        from cases.services import followups_schedule

        followups_schedule()


@scenario("approvals: the district's overdue working list (逾期跟进)")
def overdue_working_list(context: Context) -> Case:
    _prepare_followups()
    admin = context.admin
    client = context.client("admin")
    today = timezone.localdate()
    params = {"today": today, "scope": like(admin.area.prefix)}
    url = reverse("cases:overdue")

    def ours() -> Any:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return response

    def raw() -> tuple[list[tuple], int]:
        with connection.cursor() as cursor:
            cursor.execute(_OVERDUE_SQL, params)
            rows = cursor.fetchall()
            cursor.execute(_OVERDUE_COUNT, params)
            return rows, cursor.fetchone()[0]

    def rows(result: Any) -> list[str]:
        if hasattr(result, "content"):
            return _FOLLOWUP.findall(result.content.decode())
        return [str(row[0]) for row in result[0]]

    rows_, total = raw()
    if not rows_:
        raise Skip("no overdue follow-up")
    return Case(
        ours=ours,
        references=[("raw SQL for the same rows and the count", raw)],
        rows=rows,
        note=f"{total:,} overdue in the district; ours also counts them by community and "
        "worker (the table above the rows) and lists the street's workers for reassignment",
    )
