"""一门受理: the street dashboard's clock panel with 20,000 open applications.

The panel (applications/dashboard.py) is put beside the raw SQL for the same answer: the
count of open applications in the street past their step's limit, the count near it (one
working day or less left), and the 20 most urgent rows with what the panel shows (reference,
step, due date, category, grid). Ours also loads the district's own calendar days and works
out "near" on the working-day calendar; the reference is handed that date.

Open applications are topped up to 20,000 once, by one INSERT … SELECT over the households
(due dates spread from ten days past to twenty days ahead, steps mixed), when the seed has
fewer. The district's responsibility list comes from the demo (households/demo/applications).
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from access.scope import like
from applications import dashboard, selectors, workdays
from applications.models import Application, Responsibility
from bench.runner import Case, Context, Skip, scenario

OPEN = 20_000

_TOP_UP = """
INSERT INTO applications_application (uuid, created_at, updated_at, reference, household_id,
    applicant_id, area_code, category_id, responsibility_id, department_id, channel, status,
    reason, lookup_phone_hash, consent_given, consent_taken_by_id, consent_at, received_by_id,
    received_on, accept_due, more_requested, accepted_on, investigation_due, decision_due,
    due_on, decision_reason, version)
SELECT gen_random_uuid(), now(), now(), 'SQB' || lpad(g.n::text, 11, '0'), h.id, h.head_id,
    h.area_code, %(category)s, %(responsibility)s, %(department)s, 'window',
    (ARRAY['received', 'accepted', 'investigating', 'publicised'])[1 + g.n %% 4],
    '', '', true, %(user)s, now(), %(user)s, current_date - 5, current_date, '',
    NULL, NULL, NULL, current_date - 10 + ((g.n * 7919) %% 31)::int, '', 1
FROM (SELECT row_number() OVER (ORDER BY id) AS n, id FROM households_household
      WHERE status = 'active' AND head_id IS NOT NULL) hs
JOIN households_household h ON h.id = hs.id
CROSS JOIN LATERAL (SELECT hs.n * 100 + k AS n FROM generate_series(0, %(per)s - 1) k) g
ORDER BY g.n LIMIT %(missing)s
"""


def _open() -> int:
    return Application.objects.filter(status__in=Application.OPEN).count()


def _prepare(context: Context) -> int:
    missing = OPEN - _open()
    if missing <= 0:
        return _open()
    row = Responsibility.objects.filter(category_id="dibao").order_by("id").first()
    if row is None:
        raise Skip("no responsibility list: run the demo seed (households/demo/applications)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM households_household WHERE status = 'active'")
        households = cursor.fetchone()[0]
    per = max(1, -(-missing // max(households, 1)))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            _TOP_UP,
            {
                "category": "dibao",
                "responsibility": row.pk,
                "department": row.department_id,
                "user": context.admin.pk,
                "per": per,
                "missing": missing,
            },
        )
        cursor.execute("ANALYZE applications_application")
    return _open()


_PANEL_ROWS = """
SELECT a.uuid, a.reference, a.status, a.due_on, c.name, ar.name
FROM applications_application a
JOIN households_category c ON c.code = a.category_id
JOIN households_household h ON h.id = a.household_id
JOIN households_area ar ON ar.id = h.area_id
WHERE a.area_code LIKE %(scope)s AND a.due_on <= %(near)s
  AND (a.status IN ('received', 'accepted', 'investigating', 'publicised')
       OR (a.status = 'rejected' AND a.rejection_notice_sent_on IS NULL))
ORDER BY a.due_on, a.id LIMIT 20
"""

_PANEL_COUNTS = """
SELECT count(*) FILTER (WHERE a.due_on < %(today)s), count(*) FILTER (WHERE a.due_on >= %(today)s)
FROM applications_application a
WHERE a.area_code LIKE %(scope)s AND a.due_on <= %(near)s
  AND (a.status IN ('received', 'accepted', 'investigating', 'publicised')
       OR (a.status = 'rejected' AND a.rejection_notice_sent_on IS NULL))
"""


@scenario("applications: the street dashboard's clock panel, 20,000 open applications")
def clock_panel(context: Context) -> Case:
    total = _prepare(context)
    if total < OPEN:
        raise Skip(f"only {total} open applications could be made")
    street = context.user("street")
    today = timezone.localdate()
    district = selectors.district_prefix(street) or ""
    near = workdays.add_workdays(today, 1, selectors.calendar_overrides(district=district))
    params = {"scope": like(street.area.prefix), "today": today, "near": near}

    def ours() -> Any:
        # As the dashboard calls it: narrowed to the area shown, here the street's own.
        return dashboard.clock_panel(actor=street, today=today, area_prefix=street.area.prefix)

    def raw() -> tuple[list[tuple], tuple]:
        with connection.cursor() as cursor:
            cursor.execute(_PANEL_ROWS, params)
            rows = cursor.fetchall()
            cursor.execute(_PANEL_COUNTS, params)
            return rows, cursor.fetchone()

    def rows(result: Any) -> list[str]:
        if isinstance(result, dashboard.ClockPanel):
            return [str(a.uuid) for a, _late in result.rows]
        return [str(row[0]) for row in result[0]]

    overdue, due_soon = raw()[1]
    return Case(
        ours=ours,
        references=[("raw SQL for the same rows and counts", raw)],
        rows=rows,
        note=f"{total:,} open in all; the street's: {overdue:,} past, {due_soon:,} near; ours = "
        "the district's calendar days + the working-day date + two counts + the 20 rows",
    )
