"""Ledger import: the per-row report, all-or-nothing writes, re-upload without duplicates."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from core.models import AuditEvent
from households import idnumber
from households.ledger_import import (
    COLUMNS,
    ledger_import_commit,
    ledger_import_validate,
    template_rows,
)
from households.models import Enrolment, Household, Member, MemberEvent
from ledgers.models import ImportBatch
from tests import factories

pytestmark = pytest.mark.django_db

HEADERS = [str(c.header) for c in COLUMNS]


def _number(day: dt.date, seq: int) -> str:
    return idnumber.compose("320506", day, seq)


def _row(**values: str) -> list[str]:
    keys = [c.key for c in COLUMNS]
    base = dict.fromkeys(keys, "")
    base.update(values)
    return [base[k] for k in keys]


def _write_csv(path: Path, rows: list[list[str]], *, encoding: str = "utf-8-sig") -> Path:
    with path.open("w", newline="", encoding=encoding) as f:
        writer = csv.writer(f)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def _validate(actor, path: Path, **kwargs) -> ImportBatch:
    return ledger_import_validate(actor=actor, source=path, original_name=path.name, **kwargs)


def test_template_rows_import_cleanly_with_their_enrolments(media, personas, areas):
    path = _write_csv(media / "template.csv", template_rows())
    batch = _validate(personas.admin, path)
    assert batch.report["counts"] == {
        "total": 3, "valid": 3, "exists": 0, "errors": 0, "households": 2,
    }  # fmt: skip
    batch = ledger_import_commit(actor=personas.admin, batch=batch)
    assert batch.created_counts == {"households": 2, "members": 3, "enrolments": 2}
    home = Household.objects.get(address="狮林寺巷8号")
    assert home.head.name == "王建国"
    assert home.area == areas.community
    dibao = Enrolment.objects.get(household=home)
    assert dibao.status == Enrolment.Status.APPROVED
    assert sorted(m.name for m in dibao.members.all()) == ["张秀英", "王建国"]
    tekun = Enrolment.objects.get(category="tekun")
    assert tekun.member.name == "李桂兰"
    assert list(tekun.members.all()) == [tekun.member]
    spouse = Member.objects.get(name="张秀英")
    assert spouse.disability_grade == 2
    assert spouse.labour_capacity == Member.LabourCapacity.NONE
    assert idnumber.decrypt(spouse.id_number_cipher) == template_rows()[1][5]
    event = AuditEvent.objects.get(verb="ledger.import")
    assert event.changes["members"] == 3
    history = MemberEvent.objects.filter(pgh_obj_id=spouse.pk).select_related("pgh_context").get()
    assert history.pgh_context.metadata["ledger_import"] == str(batch.uuid)


def test_uploading_the_same_file_again_creates_no_duplicates(media, personas):
    path = _write_csv(media / "template.csv", template_rows())
    ledger_import_commit(actor=personas.admin, batch=_validate(personas.admin, path))
    again = _validate(personas.admin, path)
    assert again.report["counts"]["exists"] == 3
    assert again.report["counts"]["valid"] == 0
    ledger_import_commit(actor=personas.admin, batch=again)
    assert Household.objects.count() == 2
    assert Member.objects.count() == 3
    assert Enrolment.objects.count() == 2


def test_a_new_member_of_an_existing_household_is_added(media, personas):
    path = _write_csv(media / "template.csv", template_rows())
    ledger_import_commit(actor=personas.admin, batch=_validate(personas.admin, path))
    head = template_rows()[0][3]
    child = _number(dt.date(1990, 1, 1), 7)
    rows = [
        *template_rows(),
        _row(area_code="320506001001", address="狮林寺巷8号", head_id_number=head,
             name="王小明", id_number=child, relation="子女"),
    ]  # fmt: skip
    batch = _validate(personas.admin, _write_csv(media / "more.csv", rows))
    assert batch.report["counts"]["valid"] == 1
    ledger_import_commit(actor=personas.admin, batch=batch)
    assert Member.objects.get(name="王小明").household.address == "狮林寺巷8号"


def test_every_kind_of_bad_row_is_reported_and_nothing_is_written(media, personas, areas):
    head = _number(dt.date(1970, 1, 1), 11)
    good_head = _number(dt.date(1971, 2, 2), 13)
    registered = factories.household(area=areas.community, actor=personas.caseworker)
    registered_number = "".join(idnumber.decrypt(registered.head.id_number_cipher))
    bad_check = good_head[:17] + ("0" if good_head[17] != "0" else "1")
    ok = {"area_code": "320506001001", "address": "平江路1号", "relation": "户主"}
    rows = [
        # 2: a valid household of one
        _row(**ok, head_id_number=good_head, name="甲", id_number=good_head),
        # 3: wrong check digit
        _row(**{**ok, "address": "x"}, head_id_number=bad_check, name="乙", id_number=bad_check),
        # 4: duplicate of row 2 inside the file
        _row(**{**ok, "relation": "子女"}, head_id_number=good_head, name="丙",
             id_number=good_head),
        # 5: already registered in another household
        _row(**{**ok, "relation": "配偶"}, head_id_number=good_head, name="丁",
             id_number=registered_number),
        # 6: unknown area
        _row(**{**ok, "area_code": "999999999999"}, head_id_number=head, name="戊",
             id_number=head),
        # 7: 低保 and 低边 in one household
        _row(**{**ok, "address": "平江路2号"}, head_id_number=_number(dt.date(1972, 3, 3), 15),
             name="己", id_number=_number(dt.date(1972, 3, 3), 15), category="低保",
             start_date="2026-01-01"),
        _row(**{**ok, "address": "平江路2号", "relation": "配偶"},
             head_id_number=_number(dt.date(1972, 3, 3), 15), name="庚",
             id_number=_number(dt.date(1973, 4, 4), 17), category="低边",
             start_date="2026-01-01"),
        # 9: 临时救助 with no end date
        _row(**{**ok, "address": "平江路3号"}, head_id_number=_number(dt.date(1974, 5, 5), 19),
             name="辛", id_number=_number(dt.date(1974, 5, 5), 19), category="临时救助",
             start_date="2026-01-01"),
        # 10: an unknown relation and a number typed as a number
        _row(**{**ok, "relation": "表亲"}, head_id_number=good_head, name="壬",
             id_number="3.20506E+17"),
        # 11: a member whose household has no head row
        _row(**{**ok, "relation": "子女"}, head_id_number=_number(dt.date(1975, 6, 6), 21),
             name="癸", id_number=_number(dt.date(2001, 6, 6), 23)),
        # 12: an area outside the importer's scope (the caseworker's community only)
        _row(**{**ok, "area_code": "320506002001"}, head_id_number=_number(dt.date(1976, 7, 7), 25),
             name="子", id_number=_number(dt.date(1976, 7, 7), 25)),
    ]  # fmt: skip
    batch = _validate(personas.caseworker, _write_csv(media / "bad.csv", rows))
    errors = {e["row"]: " ".join(e["messages"]) for e in batch.report["errors"]}
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    assert "校验位" in errors[3]
    assert "第2行重复" in errors[4]
    assert "其他家庭" in errors[5]
    assert "区划代码" in errors[6]
    assert "低保和低边" in errors[7] and "低保和低边" in errors[8]
    assert "临时救助必须填写终止日期" in errors[9]
    assert "无法识别" in errors[10] and "18位" in errors[10]
    assert "缺少户主" in errors[11]
    assert "管辖范围" in errors[12]
    assert batch.report["counts"]["valid"] == 1
    before = Member.objects.count()
    ledger_import_commit(actor=personas.caseworker, batch=batch)
    assert Member.objects.count() == before + 1
    # a caseworker cannot decide enrolments: nothing was approved by the import
    assert not Enrolment.objects.filter(status=Enrolment.Status.APPROVED).exists()


def test_a_failure_while_writing_leaves_nothing(media, personas, monkeypatch):
    path = _write_csv(media / "template.csv", template_rows())
    batch = _validate(personas.admin, path)
    from households import ledger_import

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ledger_import, "_enrolments", boom)
    with pytest.raises(RuntimeError):
        ledger_import_commit(actor=personas.admin, batch=batch)
    assert not Household.objects.exists()
    assert not Member.objects.exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED


def test_gb18030_csv_and_xlsx_are_read(media, personas):
    path = _write_csv(media / "gbk.csv", template_rows(), encoding="gb18030")
    assert _validate(personas.admin, path).report["counts"]["valid"] == 3
    from households.ledger_import import ledger_template_xlsx

    xlsx = media / "template.xlsx"
    xlsx.write_bytes(ledger_template_xlsx())
    assert _validate(personas.admin, xlsx).report["counts"]["valid"] == 3


def test_a_file_without_the_header_is_refused(media, personas):
    path = media / "nohead.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    batch = _validate(personas.admin, path)
    assert batch.report["file_errors"]
    assert batch.error_rows == 1


def test_providers_auditors_and_users_without_area_cannot_import(media, personas):
    path = _write_csv(media / "template.csv", template_rows())
    for who in (personas.provider, personas.viewer, personas.no_area):
        with pytest.raises(PermissionDenied):
            _validate(who, path)


def test_import_ledger_command_reports_then_commits(media, personas, capsys):
    path = _write_csv(media / "template.csv", template_rows())
    call_command("import_ledger", str(path))
    assert "3 to import" in capsys.readouterr().out
    assert not Household.objects.exists()
    call_command("import_ledger", str(path), "--commit", "--area", "320506001000")
    assert "Imported 2 households, 3 members, 2 enrolments" in capsys.readouterr().out
    call_command("import_ledger", str(path), "--commit")
    assert "Imported 0 households, 0 members" in capsys.readouterr().out
    assert Member.objects.count() == 3
