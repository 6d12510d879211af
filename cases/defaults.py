"""The default risk-tier rules (A monthly, B quarterly, C half-yearly), restored whenever the
table is empty.

Migration 0002 seeded them once; this receiver of post_migrate puts them back after a test
flush (or on a database whose rules were all deleted), and never touches existing rules:
a district admin's edits stand.
"""

from __future__ import annotations

OPEN = ["open", "matched", "in_progress"]  # matching.Need statuses not yet met

# (code, name, tier, interval in months, params, priority)
DEFAULT_RULES = [
    ("hardship_alert", "急难情况未解除", "A", 1, {"days": 90, "due_within_days": 3}, 5),
    ("enrolled", "特困供养人员", "A", 1, {"category": "tekun"}, 10),
    ("enrolled_recently", "近90天内获临时救助", "A", 1, {"category": "linshi", "days": 90}, 20),
    ("open_need", "有未解决的生存型需求", "A", 1, {"type": "survival", "statuses": OPEN}, 30),
    (
        "frail_without_caregiver",
        "一、二级残疾或重病且无人照料",
        "A",
        1,
        {"max_disability_grade": 2, "serious_illness": True},
        40,
    ),
    ("elderly_alone", "80岁以上独居", "A", 1, {"min_age": 80}, 50),
    ("enrolled", "低保家庭", "B", 3, {"category": "dibao"}, 10),
    ("enrolled", "支出型困难家庭", "B", 3, {"category": "zhichu"}, 20),
    ("open_need", "有未解决的关爱型需求", "B", 3, {"type": "care", "statuses": OPEN}, 30),
    ("enrolled", "低边家庭", "C", 6, {"category": "dibian"}, 10),
    ("active_household", "其他在册家庭", "C", 6, {}, 100),
]


def ensure_default_tier_rules(**_kwargs: object) -> None:
    from cases.models import TierRule

    if TierRule.objects.exists():
        return
    TierRule.objects.bulk_create(
        TierRule(
            code=code,
            name=name,
            tier=tier,
            interval_months=months,
            params=params,
            priority=priority,
        )
        for code, name, tier, months, params, priority in DEFAULT_RULES
    )
