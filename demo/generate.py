# ruff: noqa: S311 — a seeded generator for demo data is the point, not a secret
"""Rows of demo households, members and enrolments, made in Python for COPY.

Deterministic for the same seed, size, starting point and day, whatever the chunk size. Ids
in the rows are local (0, 1, 2 … per table, running on across chunks); the loader adds the
first id it reserved for each table, using the `refs` of each `Table` to know which columns
hold ids of which table.

The category mix follows a real street: most households 低保, then 特困 persons (one-person
households, never counted in a 低保 household), 低边, 支出型 and 临时救助 (always with an end
date), and the rest registered without enrolment or with an application pending. The
combination rules of services.py hold by construction: a household gets one of 低保 or 低边
at most (an earlier 低边 ended the day before 低保 began), and a 特困 person is in no 低保
household; see enrolments.py.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from demo import people, pools
from demo.cadence import random_uuid
from demo.enrolments import Enroller
from demo.people import Person
from households import idnumber

HOUSEHOLD_COLUMNS = (
    "id", "created_at", "updated_at", "uuid", "area_code", "address", "phone", "status", "tier",
    "tier_reason", "note", "version", "area_id", "worker_id", "head_id",
)  # fmt: skip
MEMBER_COLUMNS = (
    "id", "created_at", "updated_at", "uuid", "name", "id_number_cipher", "id_number_hash",
    "id_number_masked", "sex", "birth_date", "relation", "phone", "disability_type",
    "disability_grade", "health", "illness", "has_caregiver", "labour_capacity", "employment",
    "schooling", "lives_alone", "monthly_income", "status", "version", "household_id",
)  # fmt: skip
ENROLMENT_COLUMNS = (
    "id", "created_at", "updated_at", "uuid", "status", "start_date", "end_date",
    "monthly_amount", "review_due", "reason", "decided_at", "decision_reason", "version",
    "applied_by_id", "category_id", "decided_by_id", "household_id", "member_id",
)  # fmt: skip
LINK_COLUMNS = ("id", "enrolment_id", "member_id")

# The most rows one household makes in each table (5 members; 低边 ended, 低保, 临时救助).
MOST_PER_HOUSEHOLD = {"household": 1, "member": 5, "enrolment": 3, "link": 15}

# Each household's primary situation, with its share of households.
KINDS: list[tuple[str, float]] = [
    ("dibao", 0.55),
    ("tekun", 0.15),
    ("dibian", 0.10),
    ("zhichu", 0.05),
    ("linshi", 0.04),
    ("applied", 0.05),
    ("none", 0.06),
]
_KIND_NAMES = [kind for kind, _share in KINDS]
_KIND_CUM = list(itertools.accumulate(share for _kind, share in KINDS))

# Shapes of a household that is not a 特困 person's, for 低保 and for everyone else.
_SHAPES = ["single", "couple_old", "family", "single_parent", "three_gen"]
_SHAPE_CUM = {
    "dibao": list(itertools.accumulate([18, 14, 32, 14, 22])),
    "other": list(itertools.accumulate([10, 12, 42, 10, 26])),
}


@dataclass
class Community:
    """A community as the generator needs it: its grids, its workers and its streets."""

    code: str
    name: str
    grids: list[tuple[int, str]]  # (area id, area prefix)
    worker_ids: list[int]  # a grid's households are one worker's (grids shared round)
    weight: float = 1.0
    places: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Table:
    name: str  # "household", "member", "enrolment" or "link"
    columns: tuple[str, ...]
    refs: tuple[tuple[int, str], ...]  # (column index, table whose local id it holds)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    offset: int = 0  # rows handed out before these, in earlier chunks

    def next_id(self) -> int:
        return self.offset + len(self.rows)

    def take(self) -> Table:
        """The rows so far as a table of their own; this one goes on after them."""
        chunk = Table(self.name, self.columns, self.refs, self.rows, self.offset)
        self.offset += len(self.rows)
        self.rows = []
        return chunk


@dataclass
class Plan:
    households: Table
    members: Table
    enrolments: Table
    links: Table
    counts: Counter[str]

    @property
    def tables(self) -> list[Table]:
        return [self.households, self.members, self.enrolments, self.links]

    def take(self) -> Plan:
        """The rows and counts so far as a plan of their own (a chunk of the whole)."""
        chunk = Plan(*(table.take() for table in self.tables), counts=self.counts)
        self.counts = Counter()
        return chunk


def _worker_for(workers: list[int], grid: int, grids: int, hid: int) -> int | None:
    """Each grid has its worker; with more workers than grids they share households."""
    if not workers:
        return None
    return workers[(hid if len(workers) > grids else grid) % len(workers)]


def community_places(code: str) -> dict[str, list[str]]:
    """The roads, lanes and housing estates of a community: fixed for its code."""
    rng = random.Random(f"zhulian-demo/places/{code}")
    return {
        "road": rng.sample(pools.ROADS, 3),
        "lane": rng.sample(pools.LANES, 3),
        "estate": rng.sample(pools.ESTATES, 3),
    }


def generate_chunks(
    *,
    households: int,
    chunk: int,
    seed: int,
    communities: list[Community],
    admin_id: int | None,
    today: dt.date,
    now: dt.datetime,
    tz: dt.tzinfo,
    offset: int = 0,
    taken: set[str] | None = None,
) -> Iterator[Plan]:
    """Make `households` households, `chunk` at a time; local ids run on across chunks.

    `offset` (households already there) varies the stream; `taken` holds the lookup hashes of
    identity numbers already in use, which are skipped.
    """
    generator = _Generator(
        seed=seed,
        communities=communities,
        admin_id=admin_id,
        today=today,
        now=now,
        tz=tz,
        offset=offset,
        taken=taken,
    )
    return generator.run(households, chunk)


class _Generator:
    def __init__(
        self,
        *,
        seed: int,
        communities: list[Community],
        admin_id: int | None,
        today: dt.date,
        now: dt.datetime,
        tz: dt.tzinfo,
        offset: int,
        taken: set[str] | None,
    ) -> None:
        self.rng = random.Random(f"zhulian-demo/{seed}/{offset}")
        self.communities = communities
        self.community_cum = list(itertools.accumulate(c.weight for c in communities))
        self.today = today
        self.now = now
        self.tz = tz
        self.ids = people.IdNumbers(taken)
        self.plan = self.empty_plan()
        self.enroller = Enroller(
            rng=self.rng,
            plan=self.plan,
            today=today,
            now=now,
            tz=tz,
            admin_id=admin_id,
            new_uuid=self._uuid,
        )

    @staticmethod
    def empty_plan() -> Plan:
        return Plan(
            households=Table("household", HOUSEHOLD_COLUMNS, ((0, "household"), (14, "member"))),
            members=Table("member", MEMBER_COLUMNS, ((0, "member"), (24, "household"))),
            enrolments=Table(
                "enrolment",
                ENROLMENT_COLUMNS,
                ((0, "enrolment"), (16, "household"), (17, "member")),
            ),
            links=Table("link", LINK_COLUMNS, ((0, "link"), (1, "enrolment"), (2, "member"))),
            counts=Counter(),
        )

    def run(self, n: int, chunk: int) -> Iterator[Plan]:
        # Registered over the last three years, in id order.
        start = dt.datetime.combine(self.today - dt.timedelta(days=3 * 365), dt.time(9), self.tz)
        step = dt.timedelta(days=3 * 365) / max(n, 1)
        for i in range(n):
            created = min(start + step * i, self.now - dt.timedelta(minutes=5))
            self._household(created, position=i / max(n - 1, 1))
            if (i + 1) % chunk == 0 or i + 1 == n:
                yield self.plan.take()

    def _uuid(self) -> uuid.UUID:
        return random_uuid(self.rng)

    # ---- households and their people -----------------------------------------------------

    def _household(self, created: dt.datetime, *, position: float) -> None:
        rng = self.rng
        community = rng.choices(self.communities, cum_weights=self.community_cum)[0]
        grid = rng.randrange(len(community.grids))
        area_id, prefix = community.grids[grid]
        hid = self.plan.households.next_id()
        worker = _worker_for(community.worker_ids, grid, len(community.grids), hid)
        kind = rng.choices(_KIND_NAMES, cum_weights=_KIND_CUM)[0]
        persons = self._tekun_household() if kind == "tekun" else self._family(kind)
        rows = [self._member(person, hid, created) for person in persons]
        phone = next((row[11] for row in rows if row[11]), "") or people.landline(rng)
        self.plan.households.rows.append(
            (
                hid,
                created,
                created,
                self._uuid(),
                prefix,
                self._address(community),
                phone,
                "active",
                "",
                "",
                "",
                1,
                area_id,
                worker,
                rows[0][0],
            )
        )
        self.plan.counts["households"] += 1
        self.plan.counts["members"] += len(rows)
        self.enroller.enrol(kind, hid, [row[0] for row in rows], worker, position=position)

    def _address(self, community: Community) -> str:
        rng = self.rng
        kind = rng.choices(("road", "lane", "estate"), cum_weights=(3, 5, 10))[0]
        place = rng.choice(community.places[kind])
        if kind == "road":
            return f"{place}{rng.randrange(1, 400)}号"
        if kind == "lane":
            return f"{place}{rng.randrange(1, 90)}号"
        room = f"{rng.randrange(1, 7)}{rng.randrange(1, 5):02d}"
        return f"{place}{rng.randrange(1, 41)}幢{room}室"

    def _tekun_household(self) -> list[Person]:
        """A 特困 person, usually alone; now and then with a brother or sister."""
        rng = self.rng
        pair = rng.random() < 0.2
        if rng.random() < 0.75:
            age = int(rng.triangular(60, 98, 78))
            person = Person("head", age, "M" if rng.random() < 0.55 else "F", tekun=True)
        else:
            kind = "disability" if rng.random() < 0.8 else "illness"
            person = Person(
                "head",
                rng.randrange(20, 60),
                rng.choice("MF"),
                tekun=True,
                frail=True,
                extra={"frail_kind": kind},
            )
        person.surname = people.surname(rng)
        person.alone = not pair
        if not pair:
            return [person]
        sibling_age = min(97, max(18, person.age + rng.randrange(-6, 7)))
        sibling = Person("sibling", sibling_age, rng.choice("MF"), surname=person.surname)
        return [person, sibling]

    def _family(self, kind: str) -> list[Person]:
        rng = self.rng
        cum = _SHAPE_CUM["dibao" if kind == "dibao" else "other"]
        shape = rng.choices(_SHAPES, cum_weights=cum)[0]
        if shape == "single":
            return [self._single()]
        if shape == "couple_old":
            head = Person(
                "head", int(rng.triangular(62, 92, 72)), "M" if rng.random() < 0.7 else "F"
            )
            return self._with_spouse(head, spread=5)
        if shape == "single_parent":
            head = Person("head", rng.randrange(28, 53), "F" if rng.random() < 0.75 else "M")
            head.surname = people.surname(rng)
            return [head, *self._children(head, father_surname=head.surname, most=20)]
        head = Person(
            "head",
            rng.randrange(30 if shape == "family" else 35, 56),
            "M" if rng.random() < 0.6 else "F",
        )
        family = self._with_spouse(head, spread=4)
        father = family[0] if head.sex == "M" else family[1]
        family += self._children(head, father_surname=father.surname, most=24)
        if shape == "three_gen":
            family = (family + self._parents(head))[:5]
        return family

    def _single(self) -> Person:
        rng = self.rng
        if rng.random() < 0.5:
            person = Person(
                "head", int(rng.triangular(60, 98, 75)), "F" if rng.random() < 0.6 else "M"
            )
        else:
            person = Person("head", rng.randrange(25, 60), rng.choice("MF"))
        person.surname = people.surname(rng)
        person.alone = True
        return person

    def _with_spouse(self, head: Person, *, spread: int) -> list[Person]:
        rng = self.rng
        head.surname = people.surname(rng)
        age = max(22, head.age + rng.randrange(-spread, spread + 1))
        spouse = Person("spouse", age, "F" if head.sex == "M" else "M")
        spouse.surname = people.surname(rng)  # Chinese wives keep their own surname
        return [head, spouse]

    def _children(self, head: Person, *, father_surname: str | None, most: int) -> list[Person]:
        rng = self.rng
        oldest = max(0, min(head.age - 22, most))
        count = 1 if rng.random() < 0.55 else 2
        return [
            Person("child", rng.randrange(0, oldest + 1), rng.choice("MF"), surname=father_surname)
            for _ in range(count)
        ]

    def _parents(self, head: Person) -> list[Person]:
        rng = self.rng
        count = 1 if rng.random() < 0.6 else 2
        sexes = ["M", "F"] if count == 2 else [rng.choice("MF")]
        parents = []
        for sex in sexes:
            age = min(97, head.age + rng.randrange(22, 33))
            surname = head.surname if sex == "M" else people.surname(rng)
            parents.append(Person("parent", age, sex, surname=surname))
        return parents

    def _member(self, person: Person, hid: int, created: dt.datetime) -> tuple[Any, ...]:
        rng = self.rng
        birth = people.birth_date(rng, self.today, person.age)
        number, digest, birth = self.ids.issue(birth, person.sex)
        age = people.age_on(birth, self.today)
        person.age = age
        surname = person.surname or people.surname(rng)
        name = surname + people.given_name(rng, birth.year, person.sex)
        disability, grade = people.disability(rng, person)
        state, illness = people.health(rng, person)
        capacity = people.labour_capacity(rng, person, grade, state)
        school = people.schooling(rng, age)
        work = "na" if person.tekun and age >= 60 else people.employment(rng, age, capacity, school)
        income = 0 if person.tekun else people.income(rng, work)
        has_phone = rng.random() < (0.7 if 18 <= age <= 75 else 0.3 if age > 75 else 0)
        mid = self.plan.members.next_id()
        row = (
            mid,
            created,
            created,
            self._uuid(),
            name,
            idnumber.encrypt(number),
            digest,
            idnumber.mask(number),
            person.sex,
            birth,
            person.relation,
            people.mobile(rng) if has_phone else "",
            disability,
            grade,
            state,
            illness,
            people.caregiver(rng, person, grade, state),
            capacity,
            work,
            school,
            person.alone,
            income,
            "active",
            1,
            hid,
        )
        self.plan.members.rows.append(row)
        self._count_member(person, age, disability, state)
        return row

    def _count_member(self, person: Person, age: int, disability: str, state: str) -> None:
        counts = self.plan.counts
        counts["disabled"] += bool(disability)
        counts["ill"] += state != "healthy"
        counts["elderly_alone_80"] += person.alone and age >= 80
