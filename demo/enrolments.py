"""The enrolments (救助认定) of one demo household, by its situation.

Each situation gives the household at most one live enrolment of 低保 or 低边 (never both), a
特困 enrolment names its one person and covers no one else, and 临时救助 always ends. Some
低保 households also had a 低边 enrolment that ended the day before 低保 began.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from demo import pools
from demo.cadence import add_months

if TYPE_CHECKING:
    from demo.generate import Plan


@dataclass
class Grant:
    category: str
    start: dt.date
    status: str = "approved"
    end: dt.date | None = None
    amount: int = 0
    review: dt.date | None = None
    member: int | None = None  # the 特困 person's local member id
    reason: str = ""
    decision: str = ""
    decided: dt.datetime | None = None  # when set: the decision's moment, else after applying
    applied: dt.date | None = None  # when set: the day applied, else some days before start


class Enroller:
    def __init__(
        self,
        *,
        rng: random.Random,
        plan: Plan,
        today: dt.date,
        now: dt.datetime,
        tz: dt.tzinfo,
        admin_id: int | None,
        new_uuid: Callable[[], uuid.UUID],
    ) -> None:
        self.rng = rng
        self.plan = plan
        self.today = today
        self.now = now
        self.tz = tz
        self.admin_id = admin_id
        self.new_uuid = new_uuid
        self.position = 0.0

    def enrol(
        self, kind: str, hid: int, mids: list[int], worker: int | None, *, position: float = 0.0
    ) -> None:
        """Enrol household `hid` (members `mids`, head first) as its situation `kind` says;
        `position` (0 to 1) is how far through the generated households it comes."""
        self.position = position
        for grant, covered in getattr(self, f"_{kind}")(mids):
            self._add(hid, covered, worker, grant)

    # ---- one method per situation: the grants it makes, with the members each covers -------

    def _dibao(self, mids: list[int]) -> list[tuple[Grant, list[int]]]:
        rng = self.rng
        recent = self._recent() if rng.random() < 0.05 else None
        start = recent[0] if recent else self._past(60, 6 * 365)
        grants = []
        if rng.random() < 0.04:
            before = start - dt.timedelta(days=rng.randrange(365, 3 * 365))
            earlier = Grant("dibian", before, status="ended", end=start - dt.timedelta(days=1))
            earlier.reason, earlier.decision = "家庭收入略高于低保标准", "家庭收入下降，转为低保"
            grants.append((earlier, mids))
        dibao = Grant(
            "dibao",
            start,
            status="suspended" if rng.random() < 0.01 else "approved",
            amount=rng.randrange(1000, 1410, 10) * len(mids),
            review=self._review(start, 12),
            reason="家庭人均收入低于当地低保标准",
            decided=recent[1] if recent else None,
        )
        if recent:
            dibao.status = "approved"
        grants.append((dibao, mids))
        if rng.random() < 0.02:
            grants += self._linshi(mids)
        return grants

    def _dibian(self, mids: list[int]) -> list[tuple[Grant, list[int]]]:
        start = self._past(60, 5 * 365)
        reason = "家庭人均收入略高于低保标准，享受医疗、教育专项救助"
        return [(Grant("dibian", start, review=self._review(start, 12), reason=reason), mids)]

    def _tekun(self, mids: list[int]) -> list[tuple[Grant, list[int]]]:
        start = self._past(60, 10 * 365)
        grant = Grant(
            "tekun",
            start,
            member=mids[0],
            amount=self.rng.randrange(1560, 2410, 10),
            review=self._review(start, 12),
            reason="无劳动能力、无生活来源、无法定赡养抚养扶养义务人",
        )
        return [(grant, mids[:1])]

    def _zhichu(self, mids: list[int]) -> list[tuple[Grant, list[int]]]:
        start = self._past(30, 2 * 365)
        grant = Grant(
            "zhichu",
            start,
            amount=self.rng.randrange(400, 1250, 50),
            review=self._review(start, 6),
            reason=self.rng.choice(pools.ZHICHU_REASONS),
        )
        return [(grant, mids)]

    def _linshi(self, mids: list[int]) -> list[tuple[Grant, list[int]]]:
        rng = self.rng
        start = self._past(0, 365)
        end = start if rng.random() < 0.5 else start + dt.timedelta(days=rng.randrange(1, 90))
        grant = Grant(
            "linshi",
            start,
            end=end,
            amount=rng.randrange(1000, 8001, 100),
            reason=rng.choice(pools.LINSHI_REASONS),
        )
        return [(grant, mids)]

    def _applied(self, mids: list[int]) -> list[tuple[Grant, list[int]]]:
        """An application waiting for a decision, or now and then one turned down.

        Applications are stored in the order they came in, so the approval list (oldest
        first, by id) reads as in real use: the later the household comes, the later it
        applied, from seven weeks ago to three days ago."""
        rng = self.rng
        category = "dibao" if rng.random() < 0.7 else "dibian"
        amount = rng.randrange(1000, 1410, 10) * len(mids) if category == "dibao" else 0
        applied = self.today - dt.timedelta(days=round(48 - 45 * self.position))
        grant = Grant(
            category,
            min(applied + dt.timedelta(days=rng.randrange(5, 26)), self.today),
            status="applied",
            amount=amount,
            reason="申请人自述家庭收入下降，生活困难",
            applied=applied,
        )
        if rng.random() < 0.25:
            grant.status, grant.amount = "rejected", 0
            grant.decision = "经核对，家庭人均收入高于当地标准，不予批准"
        return [(grant, mids)]

    def _none(self, mids: list[int]) -> list[tuple[Grant, list[int]]]:
        return []

    # ---- rows ------------------------------------------------------------------------------

    def _add(self, hid: int, covered: list[int], worker: int | None, grant: Grant) -> None:
        rng = self.rng
        applied_day = grant.applied or grant.start - dt.timedelta(days=rng.randrange(5, 26))
        if grant.decided is not None:
            applied_day = min(applied_day, grant.decided.date() - dt.timedelta(days=8))
        applied_at = dt.datetime.combine(applied_day, dt.time(rng.randrange(8, 17)), self.tz)
        decided = None
        if grant.status != "applied":
            decided = grant.decided or self._decided(grant, applied_at)
        eid = self.plan.enrolments.next_id()
        self.plan.enrolments.rows.append(
            (eid, applied_at, decided or applied_at, self.new_uuid(), grant.status, grant.start,
             grant.end, grant.amount, grant.review, grant.reason, decided, grant.decision, 1,
             worker, grant.category, None if decided is None else self.admin_id, hid, grant.member)
        )  # fmt: skip
        links = self.plan.links
        first = links.next_id()
        links.rows.extend((first + i, eid, mid) for i, mid in enumerate(covered))
        self.plan.counts[f"{grant.category}:{grant.status}"] += 1
        self.plan.counts["enrolments"] += 1

    def _decided(self, grant: Grant, applied_at: dt.datetime) -> dt.datetime:
        """Review takes one to five weeks (临时救助 days), often past the start it grants from
        (benefits run from the month applied for); never after now."""
        days = self.rng.randrange(1, 6) if grant.category == "linshi" else self.rng.randrange(8, 36)
        decided = applied_at + dt.timedelta(days=days, hours=self.rng.randrange(0, 6))
        latest = self.now - dt.timedelta(minutes=self.rng.randrange(30, 600))
        return max(min(decided, latest), applied_at + dt.timedelta(hours=1))

    def _recent(self) -> tuple[dt.date, dt.datetime]:
        """An approval decided this month, granted from the first of the month applied in
        (often last month): the office's work this month and the caseload's change differ."""
        first = self.today.replace(day=1)
        day = first + dt.timedelta(days=self.rng.randrange(0, self.today.day))
        at = dt.datetime.combine(day, dt.time(self.rng.randrange(9, 17)), self.tz)
        at = min(at, self.now - dt.timedelta(minutes=self.rng.randrange(30, 300)))
        applied = at.date() - dt.timedelta(days=self.rng.randrange(10, 35))
        return applied.replace(day=1), at

    def _past(self, least: int, most: int) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randrange(least, most + 1))

    def _review(self, start: dt.date, months: int) -> dt.date:
        """The next review (复核) on the enrolment's cycle; a few are slightly overdue."""
        threshold = self.today - dt.timedelta(days=20)
        step = months
        due = add_months(start, step)
        while due < threshold:
            step += months
            due = add_months(start, step)
        return due
