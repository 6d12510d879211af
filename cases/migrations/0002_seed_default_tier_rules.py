"""The default risk-tier rules, as rows a district admin can change later."""

import uuid

from django.db import migrations

OPEN = ["open", "matched", "in_progress"]  # matching.Need statuses not yet met

# (code, name, tier, interval in months, params, priority)
RULES = [
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


def seed(apps, schema_editor):
    TierRule = apps.get_model("cases", "TierRule")
    for code, name, tier, months, params, priority in RULES:
        TierRule.objects.get_or_create(
            code=code,
            name=name,
            defaults={
                "uuid": uuid.uuid4(),
                "tier": tier,
                "interval_months": months,
                "params": params,
                "priority": priority,
                "active": True,
            },
        )


def unseed(apps, schema_editor):
    TierRule = apps.get_model("cases", "TierRule")
    FollowUp = apps.get_model("cases", "FollowUp")
    FollowUp.objects.filter(rule__name__in=[r[1] for r in RULES]).update(rule=None)
    TierRule.objects.filter(name__in=[r[1] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_visits_tiers_followups")]
    operations = [migrations.RunPython(seed, unseed)]
