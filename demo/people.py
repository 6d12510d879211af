"""One demo person: a name, an identity number, and the circumstances that go with an age.

Pure Python over a `random.Random`; nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass, field

from demo import pools
from households import idnumber

REGION = "320506"

_SURNAMES = [name for name, _weight in pools.SURNAMES]
_SURNAME_CUM = list(itertools.accumulate(weight for _name, weight in pools.SURNAMES))
_DISABILITY_TYPES = [code for code, _weight in pools.DISABILITY_TYPES]
_DISABILITY_TYPE_CUM = list(itertools.accumulate(w for _c, w in pools.DISABILITY_TYPES))
_GRADES = [grade for grade, _weight in pools.DISABILITY_GRADES]
_GRADE_CUM = list(itertools.accumulate(w for _g, w in pools.DISABILITY_GRADES))


@dataclass
class Person:
    """What the generator decides about someone before the row is written."""

    relation: str
    age: int
    sex: str
    surname: str | None = None
    frail: bool = False  # a 特困 adult: grade 1–2 disability or a serious illness
    alone: bool = False
    tekun: bool = False
    extra: dict[str, object] = field(default_factory=dict)


class IdNumbers:
    """Unique identity numbers: a counter per (birth date, sex), skipping numbers already held."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self._next: dict[tuple[dt.date, str], int] = {}
        self._taken = taken or set()

    def issue(self, birth: dt.date, sex: str) -> tuple[str, str, dt.date]:
        """A fresh number for someone born on `birth` (or a day later when a day is full)."""
        while True:
            count = self._next.get((birth, sex), 0)
            if count >= 499:
                birth += dt.timedelta(days=1)
                continue
            self._next[(birth, sex)] = count + 1
            # Odd sequence numbers are men's, even ones women's; 000 is never issued.
            sequence = 2 * count + (1 if sex == "M" else 2)
            number = idnumber.compose(REGION, birth, sequence)
            digest = idnumber.lookup_hash(number)
            if digest not in self._taken:
                return number, digest, birth


def surname(rng: random.Random) -> str:
    return rng.choices(_SURNAMES, cum_weights=_SURNAME_CUM)[0]


def given_name(rng: random.Random, birth_year: int, sex: str) -> str:
    era = "old" if birth_year < 1960 else "mid" if birth_year < 1990 else "young"
    return rng.choice(pools.GIVEN_NAMES[(era, sex)])


def birth_date(rng: random.Random, today: dt.date, age: int) -> dt.date:
    """A birth date that makes someone `age` years old today."""
    latest = _years_before(today, age)
    return latest - dt.timedelta(days=rng.randrange(365))


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def age_on(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"


def landline(rng: random.Random) -> str:
    return f"0512-6{rng.randrange(10**7):07d}"


def disability(rng: random.Random, person: Person) -> tuple[str, int | None]:
    if person.frail and person.extra.get("frail_kind") == "disability":
        grade = 1 if rng.random() < 0.4 else 2
        return rng.choices(_DISABILITY_TYPES, cum_weights=_DISABILITY_TYPE_CUM)[0], grade
    chance = 0.045 if person.age < 60 else 0.12
    if person.tekun:
        chance = 0.3
    if rng.random() >= chance:
        return "", None
    kind = rng.choices(_DISABILITY_TYPES, cum_weights=_DISABILITY_TYPE_CUM)[0]
    return kind, rng.choices(_GRADES, cum_weights=_GRADE_CUM)[0]


def health(rng: random.Random, person: Person) -> tuple[str, str]:
    if person.frail and person.extra.get("frail_kind") == "illness":
        return "serious", rng.choice(pools.SERIOUS_ILLNESSES)
    age = person.age
    chronic, serious = (0.01, 0.005) if age < 18 else (0.09, 0.035) if age < 60 else (0.3, 0.07)
    roll = rng.random()
    if roll < serious:
        return "serious", rng.choice(pools.SERIOUS_ILLNESSES)
    if roll < serious + chronic:
        return "chronic", rng.choice(pools.CHRONIC_ILLNESSES)
    return "healthy", ""


def labour_capacity(rng: random.Random, person: Person, grade: int | None, state: str) -> str:
    if person.age < 16 or person.tekun:
        return "none"
    if person.age >= 60:
        return "partial" if person.age < 70 and rng.random() < 0.3 else "none"
    if grade in (1, 2):
        return "none"
    if grade in (3, 4):
        return "partial"
    if state == "serious":
        return "none" if rng.random() < 0.6 else "partial"
    if state == "chronic" and rng.random() < 0.4:
        return "partial"
    return "full"


def schooling(rng: random.Random, age: int) -> str:
    if 3 <= age <= 5:
        return "preschool" if rng.random() < 0.85 else "none"
    if 6 <= age <= 11:
        return "primary"
    if 12 <= age <= 14:
        return "junior"
    if 15 <= age <= 17:
        return "senior" if rng.random() < 0.9 else "none"
    if 18 <= age <= 22:
        return "higher" if rng.random() < 0.45 else "none"
    return "none"


def employment(rng: random.Random, age: int, capacity: str, school: str) -> str:
    if age < 16 or school != "none":
        return "na"
    if age >= 60:
        return "retired" if rng.random() < 0.35 else "na"
    roll = rng.random()
    if capacity == "none":
        return "unemployed"
    if capacity == "partial":
        return "flexible" if roll < 0.4 else "unemployed"
    return "employed" if roll < 0.35 else "flexible" if roll < 0.75 else "unemployed"


def income(rng: random.Random, work: str) -> int:
    if work == "employed":
        return rng.randrange(2490, 3800, 10)
    if work == "flexible":
        return rng.randrange(800, 2200, 10)
    if work == "retired":
        return rng.randrange(1200, 2600, 10)
    return 0


def caregiver(rng: random.Random, person: Person, grade: int | None, state: str) -> bool:
    """People living alone who are very ill, severely disabled or very old often have no one."""
    if not person.alone:
        return True
    if grade in (1, 2) or state == "serious":
        return rng.random() >= 0.7
    if person.age >= 80:
        return rng.random() >= 0.5
    return True
