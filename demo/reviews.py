# ruff: noqa: S311 — a seeded generator for demo data is the point, not a secret
"""Demo 复核 history: each approved enrolment reviewed on its cadence since it was approved.

The cadence is the review rule's own (reviews/dues.py): it is asked once, in a savepoint that
is rolled back, what each enrolment's first review date would be, and the months from the
approval to that date are the enrolment's cadence. The reviews are then written by COPY, the
enrolments take their outcome in one UPDATE, and the rule sets the due dates again from the
last review, so the demo and the nightly job agree.

Most reviews leave the enrolment as it was (维持不变), some change the amount (调整金额), and
a few suspend or end it (暂停, 终止). Reviews are made by the household's worker (now and
then a colleague), mostly a few days before they fall due. Some enrolments missed the review
that fell due in the last few months (MISSED of them), so they show as overdue.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction

from demo.cadence import Cadence, add_months, random_uuid
from ledgers.bulk import bulk_history, copy_insert
from reviews.dues import keep_review_dues
from reviews.models import Review

# Of the enrolments whose last review fell due within OVERDUE_WITHIN, the share not reviewed
# yet: overdue by weeks, as a street that keeps its reviews has, not by most of a year.
OVERDUE_WITHIN = dt.timedelta(days=90)
MISSED = 0.2
LATE_SHARE = 0.08  # reviews made a few days after they fell due
COLLEAGUE_SHARE = 0.15  # reviews made by another worker of the community
SUSPEND_SHARE = 0.006  # of reviews: the last one, suspending the enrolment
END_SHARE = 0.008  # of reviews: the last one, ending it
AMOUNT_SHARE = 0.12  # of reviews: the amount changed

_UNCHANGED = [
    "家庭收入、人口和财产状况无明显变化，继续享受原待遇",
    "经入户核查，家庭经济状况与上次复核一致，维持原救助金额",
    "收入证明、医疗票据已核对，符合条件，维持不变",
    "家庭成员无变动，收入仍低于当地标准，继续救助",
]
_AMOUNT_UP = [
    "家庭成员患病，医疗支出增加，收入下降，提高救助金额",
    "家庭成员失业，月收入减少，按差额相应提高救助金额",
    "当地标准上调，按新标准重新核算救助金额",
]
_AMOUNT_DOWN = [
    "家庭成员实现灵活就业，月收入增加，按差额相应减少救助金额",
    "子女参加工作后有一定收入，重新核算后减少救助金额",
    "赡养费按月到账，家庭人均收入提高，调减救助金额",
]
_SUSPEND = [
    "家庭成员外出务工，收入情况待核实，暂停发放",
    "多次联系未果，未按时提交复核材料，暂停发放",
    "保障对象长期住院且所在单位已承担费用，暂停待核实",
]
_END = [
    "家庭成员稳定就业，人均收入已超过当地标准，终止救助",
    "保障对象已去世，终止救助",
    "家庭迁出本区，已转至户籍所在地办理，终止救助",
    "核查发现家庭有未申报的房产和车辆，不再符合条件，终止救助",
]

_ENROLMENTS = """
SELECT e.id, e.category_id, e.start_date, (e.decided_at AT TIME ZONE %s)::date,
       e.monthly_amount, e.version, h.area_code, h.worker_id
  FROM households_enrolment e JOIN households_household h ON h.id = e.household_id
 WHERE e.household_id > %s AND e.status = 'approved' AND e.category_id <> 'linshi'
 ORDER BY e.id
"""

_APPLY = """
UPDATE households_enrolment e
   SET monthly_amount = v.amount, status = v.status, end_date = v.end_date,
       review_due = CASE WHEN v.status = 'approved' THEN e.review_due END,
       version = e.version + v.reviews, updated_at = v.at
  FROM unnest(%s::bigint[], %s::numeric[], %s::text[], %s::date[], %s::int[], %s::timestamptz[])
       AS v(id, amount, status, end_date, reviews, at)
 WHERE e.id = v.id
"""


@dataclass
class Case:
    id: int
    category: str
    start: dt.date
    decided: dt.date | None
    amount: Decimal
    version: int
    area_code: str
    worker: int | None
    months: int = 0
    reviews: list[dict] = field(default_factory=list)


def seed_reviews(
    *,
    seed: int,
    today: dt.date,
    now: dt.datetime,
    tz: dt.tzinfo,
    since_household_id: int,
    workers_by_community: dict[str, list[int]],
) -> Counter[str]:
    """Past reviews of the enrolments of households above `since_household_id`, their outcome
    on the enrolments, and the due dates from the last review. In the caller's transaction."""
    with connection.cursor() as cursor:
        cursor.execute(_ENROLMENTS, [str(tz), since_household_id])
        cases = [Case(*row) for row in cursor.fetchall()]
    if not cases:
        return Counter()
    _cadences(cases, today)
    rng = random.Random(f"zhulian-demo/reviews/{seed}/{since_household_id}")
    history = _History(rng=rng, today=today, now=now, tz=tz, workers=workers_by_community)
    for case in cases:
        history.enrolment(case)
    reviewed = [case for case in cases if case.reviews]
    with bulk_history(command="seed_demo", seed=seed, part="reviews"):
        copy_insert(Review, (row for case in reviewed for row in case.reviews), with_pk=False)
        with connection.cursor() as cursor:
            cursor.execute(
                _APPLY,
                [
                    [c.id for c in reviewed],
                    [c.reviews[-1]["amount_after"] for c in reviewed],
                    [_status(c) for c in reviewed],
                    [_end_date(c) for c in reviewed],
                    [len(c.reviews) for c in reviewed],
                    [c.reviews[-1]["created_at"] for c in reviewed],
                ],
            )
        keep_review_dues(today=today, enrolment_ids=[c.id for c in cases])
    counts: Counter[str] = Counter(
        f"review:{row['outcome']}" for case in reviewed for row in case.reviews
    )
    counts["reviews"] = sum(counts.values())
    return counts


def _cadences(cases: list[Case], today: dt.date) -> None:
    """Each enrolment's cadence in months, as the review rule gives it today.

    With no review yet, the rule's due date is the approval (or start) plus the cadence; the
    savepoint is rolled back, so asking leaves no trace in the enrolments or their history.
    """
    ids = [case.id for case in cases]
    with transaction.atomic():
        keep_review_dues(today=today, enrolment_ids=ids)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, review_due FROM households_enrolment WHERE id = ANY(%s)", [ids]
            )
            dues = dict(cursor.fetchall())
        transaction.set_rollback(True)
    for case in cases:
        since, due = case.decided or case.start, dues[case.id]
        case.months = max(1, (due.year - since.year) * 12 + due.month - since.month)


class _History(Cadence):
    # Reviews are made mostly in the fortnight before they fall due.
    late_share = LATE_SHARE
    late_days = 10
    early_days = 15
    colleague_share = COLLEAGUE_SHARE
    hours = (9, 10, 11, 14, 15, 16)

    def enrolment(self, case: Case) -> None:
        rng = self.rng
        since = case.decided or case.start
        amount = case.amount
        due = add_months(since, case.months)
        while due <= self.today:
            day = max(self.day_near(due), since + dt.timedelta(days=1))
            if day > self.today:
                break
            outcome, reason, after = self._outcome(case, amount)
            case.reviews.append(self._row(case, day, due, outcome, reason, amount, after))
            if outcome not in ("unchanged", "amount"):
                return
            amount, since = after, day
            due = add_months(day, case.months)
        last = case.reviews[-1] if case.reviews else None
        if last and last["due_before"] >= self.today - OVERDUE_WITHIN and rng.random() < MISSED:
            case.reviews.pop()  # the last review that fell due lately has not been made

    def _outcome(self, case: Case, amount: Decimal) -> tuple[str, str, Decimal]:
        rng = self.rng
        roll = rng.random()
        if roll < SUSPEND_SHARE:
            return "suspend", rng.choice(_SUSPEND), amount
        if roll < SUSPEND_SHARE + END_SHARE:
            return "end", rng.choice(_END), amount
        if roll < SUSPEND_SHARE + END_SHARE + AMOUNT_SHARE and amount > 0:
            step = Decimal(rng.randrange(5, 31) * 10)
            if rng.random() < 0.5 and amount - step >= 100:
                return "amount", rng.choice(_AMOUNT_DOWN), amount - step
            return "amount", rng.choice(_AMOUNT_UP), amount + step
        return "unchanged", rng.choice(_UNCHANGED), amount

    def _row(
        self,
        case: Case,
        day: dt.date,
        due: dt.date,
        outcome: str,
        reason: str,
        before: Decimal,
        after: Decimal,
    ) -> dict:
        worker = self.worker(case.worker, case.area_code)
        at = self.moment(day)
        return {
            "uuid": random_uuid(self.rng),
            "created_at": at,
            "updated_at": at,
            "enrolment_id": case.id,
            "reviewed_on": at.astimezone(self.tz).date(),
            "outcome": outcome,
            "reason": reason,
            "amount_before": before,
            "amount_after": after,
            "due_before": due,
            "reviewer_id": worker,
            "visit_id": None,
        }


def _status(case: Case) -> str:
    return {"suspend": "suspended", "end": "ended"}.get(case.reviews[-1]["outcome"], "approved")


def _end_date(case: Case) -> dt.date | None:
    last = case.reviews[-1]
    return max(last["reviewed_on"], case.start) if last["outcome"] == "end" else None
