"""What the demo's visit and review histories share: acts made by a community's workers on a
cadence, each near the day it fell due.

Both draw from one seeded generator in a fixed order, so the demo is the same for the same seed;
the helpers here draw in the order the two histories always have, and a change to that order
changes every visit and review after it.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid


class Cadence:
    """A history of acts on a cadence: which day near the due date, by whom, at what moment.

    Subclasses say how often an act is late and by how much, how far ahead it is made, how
    often a colleague stands in, and the hours of the day acts start at.
    """

    late_share: float  # acts made a few days after they fell due
    late_days: int  # at most this many days late, less one
    early_days: int  # at most this many days early, less one
    colleague_share: float  # acts made by another worker of the community
    hours: tuple[int, ...]  # the hours acts start at; an hour listed twice is twice as likely

    def __init__(
        self,
        *,
        rng: random.Random,
        today: dt.date,
        now: dt.datetime,
        tz: dt.tzinfo,
        workers: dict[str, list[int]],
    ) -> None:
        self.rng = rng
        self.today = today
        self.now = now
        self.tz = tz
        self.workers = workers

    def day_near(self, due: dt.date) -> dt.date:
        """Mostly a few days before it falls due, now and then a few days late; weekdays."""
        rng = self.rng
        if rng.random() < self.late_share:
            day = due + dt.timedelta(days=rng.randrange(1, self.late_days))
        else:
            day = due - dt.timedelta(days=rng.randrange(0, self.early_days))
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        return day

    def worker(self, own: int | None, area_code: str) -> int | None:
        """The household's own worker (the community's first with none), or now and then a
        colleague of the same community."""
        rng = self.rng
        colleagues = self.workers.get(area_code[:12], [])
        worker = own or (colleagues[0] if colleagues else None)
        if len(colleagues) > 1 and rng.random() < self.colleague_share:
            worker = rng.choice([w for w in colleagues if w != worker] or colleagues)
        return worker

    def moment(self, day: dt.date, registered: dt.datetime | None = None) -> dt.datetime:
        """A working hour of `day`, a little before now; the visit made at registration comes
        half an hour after the household was registered, and never before it."""
        rng = self.rng
        hour = rng.choice(self.hours)
        at = dt.datetime.combine(day, dt.time(hour, rng.randrange(0, 60)), self.tz)
        if registered is not None:
            at = max(at, registered + dt.timedelta(minutes=30))
        at = min(at, self.now - dt.timedelta(minutes=rng.randrange(10, 120)))
        return max(at, registered) if registered is not None else at


def random_uuid(rng: random.Random) -> uuid.UUID:
    """A version-4 UUID from the seeded generator, so the same seed gives the same ids."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    try:
        return day.replace(year=day.year + year, month=month + 1)
    except ValueError:  # the 29th–31st of a shorter month
        return day.replace(year=day.year + year, month=month + 1, day=28)
