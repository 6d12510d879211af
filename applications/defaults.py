"""The national time limits each district starts from, per category.

低保 and 特困 follow the national rules for 审核确认 (the investigation starts within 3 working
days of acceptance, 公示 lasts 7 days, a written refusal goes out within 3 working days of
the decision, the whole within 30 working days of acceptance). Since 2024, 低边 and 支出型
(刚性支出) families are not publicised by default, and 临时救助 is decided on the spot when
urgent: a district that publicises them turns it on in its own list.
"""

from __future__ import annotations

from typing import TypedDict


class Limits(TypedDict):
    accept_days: int
    investigate_days: int
    notice_days: int
    total_days: int
    reject_notice_days: int
    investigation_required: bool
    notice_required: bool


_STATUTORY = Limits(
    accept_days=3,
    investigate_days=3,
    notice_days=7,
    total_days=30,
    reject_notice_days=3,
    investigation_required=True,
    notice_required=True,
)

NATIONAL_LIMITS: dict[str, Limits] = {
    "dibao": _STATUTORY,
    "tekun": _STATUTORY,
    "dibian": {**_STATUTORY, "notice_required": False},
    "zhichu": {**_STATUTORY, "notice_required": False},
    "linshi": {**_STATUTORY, "total_days": 10, "notice_required": False},
}

# A refused 低保 application may move to one of these without new paperwork.
MOVES_AFTER_DIBAO = ("dibian", "zhichu")
