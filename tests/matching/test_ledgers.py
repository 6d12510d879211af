"""Needs and referrals ledgers at month close: produced again later, the same rows as at the
end of the day, from history (matching/ledgers.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from households.models import HouseholdEvent, MemberEvent
from ledgers import exports
from matching import services
from matching.models import NeedEvent, ReferralEvent
from resources.models import ProviderEvent, ResourceEvent
from tests.factories import need as make_need
from tests.ledgers.conftest import replica_is_default  # noqa: F401 (autouse fixture)

pytestmark = pytest.mark.django_db

_EVENTS = (HouseholdEvent, MemberEvent, NeedEvent, ReferralEvent, ResourceEvent, ProviderEvent)


def _export(actor, ledger: str, **kwargs) -> list[list[str]]:
    req = exports.export_request_build(actor=actor, ledger_name=ledger, fmt="csv", **kwargs)
    file = exports.export_now(actor=actor, req=req)
    return list(csv.reader(io.StringIO(file.content.decode("utf-8-sig"))))


def _close_the_month() -> dt.date:
    """Move every history event so far to three days ago; return yesterday, the close day."""
    earlier = timezone.now() - dt.timedelta(days=3)
    for model in _EVENTS:
        model.objects.update(pgh_created_at=earlier)
    return timezone.localdate() - dt.timedelta(days=1)


def test_needs_ledger_as_of_a_day_keeps_the_status_and_rows_of_that_day(
    personas, household, far_household, pool
):
    need = make_need(household=household, description="需要上门保洁")
    make_need(household=far_household)
    as_of = _close_the_month()
    before = _export(personas.admin, "needs", as_of=as_of)
    services.need_close(actor=personas.caseworker, need=need, reason="已由亲属解决")
    make_need(household=household, type="survival", subtype="goods", description="新需求")
    after = _export(personas.admin, "needs", as_of=as_of)
    assert after == before
    rows = {row[11]: row for row in before[1:]}
    assert set(rows) == {"需要上门保洁", ""}
    mine = rows["需要上门保洁"]
    assert mine[:4] == ["320506001001001", "狮林一网格", "狮林寺巷8号", household.head.name]
    assert mine[9] == "待匹配"
    now = {row[11]: row for row in _export(personas.admin, "needs")[1:]}
    assert now["需要上门保洁"][9] == "已关闭" and "新需求" in now


def test_needs_ledger_as_of_keeps_to_the_actors_area(personas, household, far_household):
    make_need(household=household)
    make_need(household=far_household)
    as_of = _close_the_month()
    assert [row[2] for row in _export(personas.caseworker, "needs", as_of=as_of)[1:]] == [
        "狮林寺巷8号"
    ]
    assert [row[2] for row in _export(personas.outsider, "needs", as_of=as_of)[1:]] == ["南门路1号"]
    filtered = _export(personas.admin, "needs", as_of=as_of, filters={"status": "closed"})
    assert filtered[1:] == []


def test_referrals_ledger_as_of_a_day_keeps_the_step_and_rows_of_that_day(
    personas, household, pool
):
    need = make_need(household=household)
    referral = services.referral_propose(
        actor=personas.caseworker, need=need, resource=pool.cleaning
    )
    as_of = _close_the_month()
    before = _export(personas.supervisor, "referrals", as_of=as_of)
    services.referral_accept(actor=personas.provider, referral=referral)
    other = make_need(household=household, type="survival", subtype="goods")
    services.referral_propose(actor=personas.caseworker, need=other, resource=pool.quilts)
    assert _export(personas.supervisor, "referrals", as_of=as_of) == before
    assert len(before) == 2
    row = before[1]
    assert row[2] == "狮林寺巷8号" and row[6] == "居家保洁" and row[7] == "乐龄社工服务社"
    assert row[4] == "关爱型" and row[8] == "待接收"
    now = _export(personas.supervisor, "referrals")
    assert len(now) == 3 and "已接收" in {r[8] for r in now[1:]}
    assert _export(personas.outsider, "referrals", as_of=as_of)[1:] == []


def test_month_close_refuses_filters_it_cannot_honour(personas):
    with pytest.raises(ValidationError):
        exports.export_request_build(
            actor=personas.admin,
            ledger_name="referrals",
            fmt="csv",
            as_of=timezone.localdate(),
            filters={"resource": "00000000-0000-0000-0000-000000000000"},
        )
