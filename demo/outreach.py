# ruff: noqa: S311 — a seeded generator for demo data is the point, not a secret
"""Demo 政策找人: eligibility rules on the pool's policies, the leads and 应退尽退 flags the
nightly screening finds, and some leads already worked (turned into a referral, dismissed).

The rules are the ones a district would write: 残疾人两项补贴, 高龄津贴 and the special
assistance (医疗, 教育, 住房, 就业) of the enrolled. Policies the pool lacks are added under the
district's 民政局 or 残联. The screening runs through its own service, so the demo and the
nightly job agree; it runs again after the worked leads, as the next night would.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError

from core.errors import ApplicationError
from households.models import Area
from outreach import services
from outreach.models import Lead
from resources import services as resource_services
from resources.models import Provider, Resource

_ENROLLED = ["dibao", "tekun", "dibian"]
# (provider, policy, need type, subtype, [(condition, params)])
_RULES: list[tuple[str, str, str, str, list[tuple[str, dict[str, Any]]]]] = [
    (
        "姑苏区残疾人联合会",
        "重度残疾人护理补贴",
        "care",
        "daily_care",
        [("disability", {"types": [], "max_grade": 2})],
    ),
    (
        "姑苏区残疾人联合会",
        "困难残疾人生活补贴",
        "survival",
        "living",
        [("disability", {"types": [], "max_grade": 4}), ("enrolled", {"categories": _ENROLLED})],
    ),
    (
        "姑苏区民政局",
        "高龄津贴",
        "survival",
        "living",
        [("age", {"min_age": 80, "max_age": 120})],
    ),
    (
        "姑苏区医疗保障局",
        "医疗救助",
        "survival",
        "medical",
        [("illness", {"health": ["serious"]}), ("enrolled", {"categories": _ENROLLED})],
    ),
    (
        "姑苏区教育局",
        "教育救助",
        "development",
        "schooling",
        [
            ("schooling", {"levels": ["primary", "junior", "senior", "higher"]}),
            ("enrolled", {"categories": _ENROLLED}),
        ],
    ),
    (
        "姑苏区住房和城乡建设局",
        "住房救助（租赁补贴）",
        "survival",
        "housing",
        [
            ("age", {"min_age": 60, "max_age": 120}),
            ("lives_alone", {}),
            ("enrolled", {"categories": ["dibao", "dibian"]}),
        ],
    ),
    (
        "姑苏区人力资源和社会保障局",
        "就业援助",
        "development",
        "employment",
        [
            ("unemployed", {"labour": ["full", "partial"]}),
            ("age", {"min_age": 16, "max_age": 59}),
            ("enrolled", {"categories": ["dibao", "dibian", "zhichu"]}),
        ],
    ),
    (
        "姑苏区残疾人联合会",
        "残疾人康复服务补贴",
        "care",
        "rehabilitation",
        [("disability", {"types": ["intellectual", "mental", "multiple"], "max_grade": 4})],
    ),
    (
        "姑苏区民政局",
        "临时救助",
        "survival",
        "living",
        [
            ("income_below", {"line": "dibao", "percent": 100}),
            ("not_enrolled", {"categories": ["dibao", "tekun", "dibian", "linshi"]}),
        ],
    ),
]
ACTED = 0.04  # of the leads found: turned into a referral by the household's worker
DISMISSED = 0.03  # of the leads found: dismissed, with one of the reasons below
_DISMISS_REASONS = [
    "已在户籍地享受该补贴，提供了证明",
    "本人表示暂不需要，已告知申请渠道",
    "残疾证正在换领，待新证下发后再申请",
    "家属已自行向主管部门提出申请",
]


def _policy(district: Area, provider_name: str, name: str, need: str, subtype: str) -> Resource:
    found = Resource.objects.filter(kind=Resource.Kind.POLICY, name=name).first()
    if found is not None:
        return found
    provider = Provider.objects.filter(name=provider_name).first()
    if provider is None:
        provider = resource_services.provider_create(
            actor=None, kind=Provider.Kind.GOVERNMENT, name=provider_name, area=district
        )
    return resource_services.resource_create(
        actor=None,
        provider=provider,
        kind=Resource.Kind.POLICY,
        name=name,
        area=district,
        need_types=[need],
        need_subtypes=[subtype],
        department=provider_name,
    )


def _rules(district: Area) -> int:
    from outreach.predicates import CHOICES

    made = 0
    for provider_name, name, need, subtype, rules in _RULES:
        policy = _policy(district, provider_name, name, need, subtype)
        if policy.eligibility_rules.exists():
            continue
        for code, params in rules:
            if params.get("types") == []:  # every disability type
                params = {**params, "types": [value for value, _label in CHOICES["types"]]}
            services.policy_rule_create(actor=None, policy=policy, code=code, params=params)
            made += 1
    return made


def _work(rng: random.Random) -> Counter[str]:
    """Turn some open leads into referrals and dismiss others, as their workers would."""
    counts: Counter[str] = Counter()
    leads = list(
        Lead.objects.filter(state=Lead.State.OPEN)
        .select_related("household__worker", "policy", "member")
        # Not by id: the screening inserts in the order its plan finds them, which may vary;
        # households, policies and members are made in the seed's order.
        .order_by("household_id", "policy_id", "member_id")
    )
    for lead in leads:
        draw = rng.random()
        worker = lead.household.worker
        try:
            if draw < ACTED:
                services.lead_act(actor=worker, lead=lead, note="入户核实后协助申请")
                counts["lead:acted"] += 1
            elif draw < ACTED + DISMISSED:
                reason = rng.choice(_DISMISS_REASONS)
                services.lead_dismiss(actor=worker, lead=lead, reason=reason)
                counts["lead:dismissed"] += 1
        except (ValidationError, ApplicationError):
            counts["lead:not_referable"] += 1  # the policy does not take this household
    return counts


def seed_outreach(*, seed: int, today: dt.date) -> Counter[str]:
    district = Area.objects.filter(level=Area.Level.DISTRICT).order_by("code").first()
    counts: Counter[str] = Counter()
    if district is None:
        return counts
    counts["policy_rules"] = _rules(district)
    services.outreach_screen(today=today)
    counts.update(_work(random.Random(seed * 7919 + 16)))
    result = services.outreach_screen(today=today)
    counts["leads"] = Lead.objects.count()
    counts["lead:open"] = Lead.objects.filter(state=Lead.State.OPEN).count()
    counts["exit_flags"] = result.flags_found
    return counts
