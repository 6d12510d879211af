# ruff: noqa: S311 — a seeded generator for demo data is the point, not a secret
"""Demo visit history (入户走访) and the follow-ups it answered: a street in its second year.

The system went live about GO_LIVE_MONTHS before today. Each household has been visited on
its tier's rhythm since then (or since it was registered, on the day of registration), by
its own worker and now and then by a colleague, mostly a few days before the visit was due
and now and then a little late. About OVERDUE_SHARE of households missed their last visit,
so the nightly job finds them overdue; the rest are on time.

The tier comes from the tier rules themselves: the nightly job runs once to give every
household its tier and rule, the history is written, and the job runs again so the open
follow-ups are due on the rhythm from the last visit.

Each community's workers also ran a few social-work services (个案, 小组, 社区活动) a month.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connection

from cases.models import FollowUp, Visit
from demo.cadence import Cadence, add_months, random_uuid
from ledgers.bulk import allocate_ids, bulk_history, copy_insert

if TYPE_CHECKING:
    from households.models import Area

GO_LIVE_MONTHS = 18
OVERDUE_SHARE = 0.06  # households whose last due visit has not happened
LATE_SHARE = 0.07  # visits made a few days after they were due
COLLEAGUE_SHARE = 0.15  # visits made by another worker of the community

_METHODS = [("home", 64), ("phone", 22), ("wechat", 11), ("walk_in", 3)]

# What a worker writes for each area of life, by finding.
_NOTES: dict[str, dict[str, list[str]]] = {
    "living": {
        "good": ["基本生活有保障，家中整洁", "日常开支能够维持，米面油充足"],
        "fair": ["收入仅够日常开支，略有结余困难", "低保金按时到账，生活节俭"],
        "concern": ["月底生活费紧张，需要临时帮扶", "家中缺少过冬物资"],
    },
    "housing": {
        "good": ["住房安全，水电正常", "公房，居住条件良好"],
        "fair": ["老旧房屋，有轻微渗水", "租住房屋，面积较小"],
        "concern": ["房屋墙体开裂，已报社区协调维修", "楼层高无电梯，老人出行不便"],
    },
    "health": {
        "good": ["身体状况良好", "家庭成员健康"],
        "fair": ["慢性病，按时服药，病情平稳", "血压偏高，已提醒定期复查"],
        "concern": ["病情加重，近期住院治疗", "需长期透析，医疗费用负担重"],
    },
    "employment": {
        "good": ["已稳定就业", "灵活就业，收入稳定"],
        "fair": ["打零工，收入不稳定", "在找工作，已登记求职"],
        "concern": ["失业在家，未找到工作", "因照顾家人无法外出工作"],
    },
    "schooling": {
        "good": ["孩子按时上学，成绩良好", "已落实教育资助"],
        "fair": ["学习有些吃力，家长希望有课业辅导", "学杂费有压力"],
        "concern": ["孩子厌学，多次缺课，已联系学校", "需要学习用品和助学金"],
    },
    "mood": {
        "good": ["情绪稳定，家庭关系和睦", "精神状态好，邻里关系融洽"],
        "fair": ["独居，偶有孤独感", "家人之间偶有矛盾"],
        "concern": ["情绪低落，需心理疏导", "家庭矛盾较大，已进行调解"],
    },
}
_NEEDS_NOTED = [
    "希望增加上门助洁服务",
    "需要冬季御寒衣被",
    "孩子需要课业辅导",
    "希望参加职业技能培训",
    "需要购买轮椅",
    "申请医疗救助",
    "希望有志愿者定期陪伴",
]
# Baseline chances of (good, fair, concern) by tier: tier A households are in harder times.
_BASELINE = {"A": (15, 50, 35), "B": (25, 60, 15), "C": (50, 45, 5)}


@dataclass
class Home:
    id: int
    area_code: str
    worker: int | None
    created: dt.datetime
    tier: str
    rule: int | None
    months: int
    schooling: bool
    ill: bool
    unemployed: bool
    alone: bool


_HOMES = """
SELECT h.id, h.area_code, h.worker_id, h.created_at, f.tier, f.rule_id,
       coalesce(r.interval_months, 6),
       bool_or(m.schooling IN ('primary', 'junior', 'senior', 'higher')),
       bool_or(m.health <> 'healthy'), bool_or(m.employment = 'unemployed'),
       bool_or(m.lives_alone)
  FROM households_household h
  JOIN cases_followup f ON f.household_id = h.id AND f.status = 'open'
  LEFT JOIN cases_tierrule r ON r.id = f.rule_id
  LEFT JOIN households_member m ON m.household_id = h.id AND m.status = 'active'
 WHERE h.id > %s AND h.status = 'active'
 GROUP BY h.id, f.tier, f.rule_id, r.interval_months
 ORDER BY h.id
"""


def seed_visits(
    *,
    seed: int,
    today: dt.date,
    now: dt.datetime,
    tz: dt.tzinfo,
    since_household_id: int,
    workers_by_community: dict[str, list[int]],
) -> Counter[str]:
    """Visits and completed follow-ups for households above `since_household_id`, then the
    nightly job so each open follow-up is due from the last visit. In the caller's transaction.
    """
    from cases.services import followups_schedule

    # Fresh statistics first: on tables just filled by COPY the planner would guess one row
    # and nest loops over the chunk, a hundred times slower.
    _analyze("households_household", "households_enrolment", "households_member", "matching_need")
    _analyze("cases_followup", "cases_visit")
    followups_schedule(today=today)
    with connection.cursor() as cursor:
        cursor.execute(_HOMES, [since_household_id])
        homes = [Home(*row) for row in cursor.fetchall()]
    history = _History(
        rng=random.Random(f"zhulian-demo/visits/{seed}/{since_household_id}"),
        today=today,
        now=now,
        tz=tz,
        go_live=add_months(today, -GO_LIVE_MONTHS),
        workers=workers_by_community,
    )
    for home in homes:
        history.household(home)
    with bulk_history(command="seed_demo", seed=seed, part="visits"):
        visit_ids = allocate_ids(Visit, len(history.visits))
        copy_insert(
            Visit, ({**row, "id": pk} for row, pk in zip(history.visits, visit_ids, strict=True))
        )
        copy_insert(
            FollowUp,
            ({**row, "visit_id": visit_ids[row.pop("visit")]} for row in history.done),
            with_pk=False,
        )
    _analyze("cases_followup", "cases_visit")
    followups_schedule(today=today)
    return Counter(visits=len(history.visits), followups_done=len(history.done))


class _History(Cadence):
    # Visits are made mostly in the ten days before they fall due.
    late_share = LATE_SHARE
    late_days = 12
    early_days = 10
    colleague_share = COLLEAGUE_SHARE
    hours = (9, 10, 10, 11, 14, 15, 15, 16)

    def __init__(
        self,
        *,
        rng: random.Random,
        today: dt.date,
        now: dt.datetime,
        tz: dt.tzinfo,
        go_live: dt.date,
        workers: dict[str, list[int]],
    ) -> None:
        super().__init__(rng=rng, today=today, now=now, tz=tz, workers=workers)
        self.go_live = go_live
        self.visits: list[dict] = []
        self.done: list[dict] = []

    def household(self, home: Home) -> None:
        rng = self.rng
        registered = home.created.astimezone(self.tz).date()
        if registered >= self.go_live:
            first = registered  # registered on a home visit
        else:  # the go-live sweep: every household seen in the first months
            first = self.go_live + dt.timedelta(days=rng.randrange(0, 60))
        dates: list[tuple[dt.date, dt.date | None]] = []  # (visit day, the day it was due)
        day, due = first, None
        while day <= self.today:
            dates.append((day, due))
            due = add_months(day, home.months)
            day = self.day_near(due)
        if len(dates) > 1 and rng.random() < OVERDUE_SHARE:
            dates.pop()  # the last visit that fell due has not been made
        baseline = _pick(rng, ["good", "fair", "concern"], _BASELINE.get(home.tier, (40, 50, 10)))
        for i, (day, due) in enumerate(dates):
            at = self.moment(day, home.created if i == 0 else None)
            self._visit(home, day, at, baseline, first=i == 0)
            if due is not None:
                self._done(home, due, at)

    def _visit(
        self, home: Home, day: dt.date, at: dt.datetime, baseline: str, *, first: bool
    ) -> None:
        rng = self.rng
        worker = self.worker(home.worker, home.area_code)
        method = "home" if first else _pick(rng, *zip(*_METHODS, strict=True))
        row = {
            "created_at": at,
            "updated_at": at,
            "household_id": home.id,
            "worker_id": worker,
            "companions": "社区网格员" if rng.random() < 0.1 else "",
            "method": method,
            "visited_at": at,
            "visit_date": at.astimezone(self.tz).date(),
            "needs_noted": rng.choice(_NEEDS_NOTED) if rng.random() < 0.08 else "",
        }
        for area, applies, bad in (
            ("living", True, False),
            ("housing", method == "home", False),
            ("health", True, home.ill),
            ("employment", not home.alone or home.unemployed, home.unemployed),
            ("schooling", home.schooling, False),
            ("mood", True, home.alone),
        ):
            status = self._finding(baseline, bad) if applies else ""
            row[f"{area}_status"] = status
            row[f"{area}_note"] = rng.choice(_NOTES[area][status]) if status else ""
        self.visits.append(row)

    def _finding(self, baseline: str, bad: bool) -> str:
        rng = self.rng
        found = baseline if rng.random() < 0.75 else rng.choice(["good", "fair", "concern"])
        if bad and found == "good":
            found = "fair"
        return found

    def _done(self, home: Home, due: dt.date, at: dt.datetime) -> None:
        self.done.append(
            {
                "uuid": random_uuid(self.rng),
                "created_at": at,
                "updated_at": at,
                "household_id": home.id,
                "due": due,
                "tier": home.tier,
                "rule_id": home.rule,
                "assignee_id": home.worker,
                "status": "done",
                "overdue": False,
                "reassigned": False,
                "visit": len(self.visits) - 1,
                "completed_at": at,
            }
        )


def _analyze(*tables: str) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _pick(rng: random.Random, values: Iterable[str], weights: Iterable[int]) -> str:
    return rng.choices(list(values), weights=list(weights))[0]


# ---- social-work services (个案, 小组, 社区活动): what each community's workers ran ----------

_ACTIVITIES = {
    "case": (["困境儿童个案辅导", "独居老人个案跟进", "残疾人家庭个案服务"], (1, 1), (1, 1)),
    "group": (["老年人健康互助小组", "青少年学业成长小组", "残疾人康复支持小组"], (4, 8), (6, 12)),
    "community": (["邻里守望便民服务日", "重阳敬老活动", "政策宣讲进社区"], (1, 1), (30, 80)),
}


def seed_activities(
    *,
    seed: int,
    today: dt.date,
    tz: dt.tzinfo,
    communities: list[Area],
    workers: dict[str, list[int]],
) -> Counter[str]:
    """A few services a month in every community since go-live (once: not on a second run)."""
    from cases.models import ServiceActivity

    if ServiceActivity.objects.exists():
        return Counter()
    rng = random.Random(f"zhulian-demo/activities/{seed}")
    start = add_months(today.replace(day=1), -GO_LIVE_MONTHS)
    rows = []
    for area in communities:
        month = start
        while month <= today:
            for kind, (titles, sessions, people) in _ACTIVITIES.items():
                for _i in range(rng.choice((0, 1, 1, 2) if kind != "community" else (1, 1, 2))):
                    day = month + dt.timedelta(days=rng.randrange(0, 28))
                    if day > today:
                        continue
                    n_sessions = rng.randint(*sessions)
                    attendees = rng.randint(*people)
                    ids = workers.get(area.code, [])
                    at = dt.datetime.combine(day, dt.time(17), tz)
                    rows.append(
                        {
                            "created_at": at,
                            "updated_at": at,
                            "kind": kind,
                            "date": day,
                            "area_id": area.pk,
                            "area_code": area.prefix,
                            "worker_id": rng.choice(ids) if ids else None,
                            "title": rng.choice(titles),
                            "sessions": n_sessions,
                            "attendees": attendees,
                            "person_times": attendees * n_sessions,
                        }
                    )
            month = add_months(month, 1)
    copy_insert(ServiceActivity, rows, with_pk=False)
    return Counter(activities=len(rows))
