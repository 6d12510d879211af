"""Ledger import: a number held out of the importer's area is answered as on the member page,
logged and counted against the same per-user limit, so that a file cannot be used to probe."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from core.models import AccessLog
from households import clashes, idnumber
from households.ledger_import import ledger_import_commit
from households.models import Household
from tests.ledgers.test_import import _number, _row, _validate, _write_csv

pytestmark = pytest.mark.django_db

CLASH = AccessLog.Action.ID_NUMBER_CLASH
LIMITED = AccessLog.Action.ID_NUMBER_CLASH_LIMITED


@pytest.fixture(autouse=True)
def _fresh_counts(personas):
    for user in vars(personas).values():
        cache.delete(clashes._key(user))


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def _head(number: str, address: str) -> list[str]:
    return _row(area_code="320506001001", address=address, head_id_number=number,
                name="张三", id_number=number, relation="户主")  # fmt: skip


def _far_numbers(far_household, personas, count: int) -> list[str]:
    from tests import factories

    numbers = [idnumber.decrypt(far_household.head.id_number_cipher)]
    for i in range(count - 1):
        home = factories.household(
            area=far_household.area, actor=personas.outsider, address=f"南门路{i + 2}号"
        )
        numbers.append(idnumber.decrypt(home.head.id_number_cipher))
    return numbers


def _messages(batch) -> dict[int, list[str]]:
    return {e["row"]: e["messages"] for e in batch.report["errors"]}


def test_an_out_of_area_number_in_an_import_is_logged_as_a_clash(media, personas, far_household):
    number = idnumber.decrypt(far_household.head.id_number_cipher)
    path = _write_csv(media / "a.csv", [_head(number, "狮林寺巷9号")])
    batch = _validate(personas.caseworker, path)
    assert "其他地区" in " ".join(_messages(batch)[2])
    entry = AccessLog.objects.get(action=CLASH)
    assert entry.actor == personas.caseworker
    assert entry.household_id == far_household.pk
    assert entry.area_code == far_household.area_code
    assert cache.get(clashes._key(personas.caseworker)) == 1
    # The commit checks again without counting again, and writes nothing for that row.
    ledger_import_commit(actor=personas.caseworker, batch=batch)
    assert AccessLog.objects.filter(action=CLASH).count() == 1
    assert not Household.objects.filter(address="狮林寺巷9号").exists()


def test_past_the_limit_rows_are_refused_without_saying_whether_registered(
    media, settings, personas, far_household
):
    settings.ID_CLASH_LIMIT = 2
    far = _far_numbers(far_household, personas, 4)
    fresh = _number(dt.date(1980, 5, 5), 11)  # registered nowhere
    rows = [_head(n, f"狮林寺巷{i + 20}号") for i, n in enumerate(far)]
    rows.append(_head(fresh, "狮林寺巷99号"))
    batch = _validate(personas.caseworker, _write_csv(media / "probe.csv", rows))
    messages = _messages(batch)
    refusal = clashes.ClashLimitError().message
    # Rows 2 and 3: the two clashes the limit allows; row 4 goes over and from there on
    # a registered number (row 5) and an unregistered one (row 6) read the same.
    assert all("其他地区" in m[0] for m in (messages[2], messages[3]))
    assert messages[4] == messages[5] == messages[6] == [refusal]
    assert batch.report["counts"]["valid"] == 0
    assert AccessLog.objects.filter(action=CLASH, actor=personas.caseworker).count() == 3
    assert AccessLog.objects.filter(action=LIMITED, actor=personas.caseworker).count() == 1
    # A further file, with only a new number, is refused the same way.
    again = _validate(personas.caseworker, _write_csv(media / "b.csv", [_head(fresh, "x号")]))
    assert _messages(again)[2] == [refusal]


def test_an_in_area_number_is_not_counted(media, personas, household):
    number = idnumber.decrypt(household.head.id_number_cipher)
    batch = _validate(personas.caseworker, _write_csv(media / "c.csv", [_head(number, "y号")]))
    assert batch.report["counts"]["exists"] == 1
    assert not AccessLog.objects.filter(action=CLASH).exists()


def test_a_member_row_naming_an_out_of_area_head_is_not_added_to_that_household(
    media, personas, far_household
):
    head = idnumber.decrypt(far_household.head.id_number_cipher)
    child = _number(dt.date(1990, 2, 2), 13)
    row = _row(area_code="320506001001", address="南门路1号", head_id_number=head,
               name="李四", id_number=child, relation="子女")  # fmt: skip
    batch = _validate(personas.caseworker, _write_csv(media / "d.csv", [row]))
    assert "其他地区" in " ".join(_messages(batch)[2])
    ledger_import_commit(actor=personas.caseworker, batch=batch)
    assert far_household.members.count() == 1
    entry = AccessLog.objects.get(action=CLASH)
    assert entry.household_id == far_household.pk and entry.detail["field"] == "head_id_number"
