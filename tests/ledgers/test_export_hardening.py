"""Exports under hostile input and odd requests: formulas in CSV, month close with full
numbers, areas out of scope, the files' mode and place."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from python_calamine import CalamineWorkbook

from households import idnumber
from households.models import Member, User
from ledgers import exports
from ledgers.definitions import Kind, all_ledgers
from tests import factories

pytestmark = pytest.mark.django_db


def _export(actor, ledger: str, fmt: str = "csv", **kwargs) -> exports.ExportFile:
    req = exports.export_request_build(actor=actor, ledger_name=ledger, fmt=fmt, **kwargs)
    return exports.export_now(actor=actor, req=req)


def _rows(file: exports.ExportFile, fmt: str) -> list[list[str]]:
    """The data rows (no banner, no header) as text."""
    if fmt == "csv":
        return list(csv.reader(io.StringIO(file.content.decode("utf-8-sig"))))[1:]
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(file.content)).get_sheet_by_index(0)
    return [[str(v) for v in row] for row in sheet.to_python()[2:]]


def _full_exporter(personas) -> User:
    permission = Permission.objects.get(codename="export_full_id_number")
    personas.admin.user_permissions.add(permission)
    return User.objects.get(pk=personas.admin.pk)


@pytest.fixture
def registry(areas, personas, household, far_household):
    factories.enrolment(household=household, category="dibao", monthly_amount=850)
    head = far_household.head
    factories.enrolment(
        household=far_household, category="tekun", member=head, members=[head], monthly_amount=1500
    )
    return household


AS_OF_LEDGERS = sorted(ledger.name for ledger in all_ledgers() if ledger.supports_as_of)


@pytest.mark.parametrize("ledger", AS_OF_LEDGERS)
@pytest.mark.parametrize("full", [False, True], ids=["masked", "full"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_month_close_exports_with_and_without_full_numbers(registry, personas, ledger, full, fmt):
    actor = _full_exporter(personas) if full else personas.admin
    file = _export(actor, ledger, fmt, as_of=timezone.localdate(), full_id_numbers=full)
    rows = _rows(file, fmt)
    columns = exports.get_ledger(ledger).columns
    id_columns = [i for i, c in enumerate(columns) if c.kind == Kind.ID_NUMBER]
    if ledger in ("households", "members", "enrolments"):
        assert rows, ledger
    if not id_columns:
        return
    shown = {row[i] for row in rows for i in id_columns if row[i]}
    assert shown, ledger
    clear = {idnumber.decrypt(m.id_number_cipher) for m in Member.objects.all()}
    if full:
        assert shown <= clear
    else:
        assert all("*" in value for value in shown)


# ---- formulas in CSV (OWASP CSV injection) ----------------------------------------------------

LINK = '=HYPERLINK("http://x","点我")'
NEEDS = ["+1+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "-2+3", "\r=1"]


@pytest.fixture
def hostile(areas, personas, household):
    """A member named like a formula (here the head, so the head's name columns carry it
    too) and needs whose descriptions start with every other formula character."""
    from matching import services as matching_services

    head = household.head
    Member.objects.filter(pk=head.pk).update(name=LINK)
    factories.enrolment(household=household, category="dibao", monthly_amount=850)
    for text in NEEDS:
        need = matching_services.need_create(
            actor=None, household=household, type="care", subtype="daily_care", quantity=3
        )
        # As stored, whitespace included (a form strips it; an import or the API may not).
        type(need).objects.filter(pk=need.pk).update(description=text)
    return household


def _starts_a_formula(value: str) -> bool:
    return value.startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize("full", [False, True], ids=["copied", "decrypted"])
def test_csv_cells_that_would_run_as_formulas_get_an_apostrophe(hostile, personas, full):
    actor = _full_exporter(personas) if full else personas.admin
    for ledger in ("households", "members", "enrolments", "needs"):
        rows = _rows(_export(actor, ledger, full_id_numbers=full), "csv")
        cells = [cell for row in rows for cell in row]
        assert rows, ledger
        assert not [cell for cell in cells if _starts_a_formula(cell)], ledger
        if ledger in ("households", "members", "needs"):
            assert "'" + LINK in cells, ledger
    needs = _rows(_export(actor, "needs"), "csv")
    descriptions = {row[11] for row in needs}
    assert descriptions == {"'" + text for text in NEEDS}


def test_numbers_stay_numbers_and_xlsx_text_stays_as_typed(hostile, personas):
    enrolments = _rows(_export(personas.admin, "enrolments"), "csv")
    assert [row[9] for row in enrolments] == ["850.00"]
    needs = _rows(_export(personas.admin, "needs"), "csv")
    assert {row[10] for row in needs} == {"3"}
    # XLSX cells are typed text, never formulas: the name is kept exactly as it was typed.
    members = _rows(_export(personas.admin, "members", "xlsx"), "xlsx")
    assert LINK in {row[4] for row in members}


class _RawQuery:
    db = "default"

    def __init__(self, sql: str) -> None:
        self.query = self
        self.sql = sql

    def get_compiler(self, using: str) -> _RawQuery:
        return self

    def as_sql(self) -> tuple[str, tuple]:
        return self.sql, ()


def test_negative_numbers_are_data_text_that_looks_like_one_is_not():
    """A number column's -50 is the number -50; a text column's -50 could be -50+cmd|…"""
    from ledgers import source
    from ledgers.definitions import Column, RowQuery

    sql = (
        "SELECT -50.5::numeric, '-50'::text, '2026-01-31'::date::text, NULL::text, "
        "'a=b'::text, 'x'::varchar, '@'::text"
    )
    kinds = [Kind.NUMBER, Kind.TEXT, Kind.DATE, Kind.TEXT, Kind.TEXT, Kind.ID_NUMBER, Kind.TEXT]
    columns = [Column(f"c{i}", f"c{i}", f"c{i}", kind) for i, kind in enumerate(kinds)]
    with source.copy_csv(RowQuery(_RawQuery(sql)), columns) as chunks:
        (line,) = [bytes(chunk).decode() for chunk in chunks]
    assert next(csv.reader([line])) == ["-50.5", "'-50", "2026-01-31", "", "a=b", "x", "'@"]


def test_trusted_columns_are_our_own_words():
    """What CSV does not check must be a label, a code or a formatted time: never typed text."""
    typed = {"name", "address", "head_name", "area_name", "description", "illness", "companions"}
    for ledger in all_ledgers():
        trusted = {c.key for c in ledger.columns if c.trusted}
        assert not trusted & typed, ledger.name


def test_the_import_template_notes_say_formulas_are_neutralised():
    from households.ledger_import.template import ledger_template_xlsx

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(ledger_template_xlsx()))
    notes = workbook.get_sheet_by_index(1).to_python()
    assert any("单引号" in str(row[2]) and "公式" in str(row[2]) for row in notes)


# ---- an area out of scope -------------------------------------------------------------------


def test_an_area_out_of_scope_is_not_found_on_the_page_and_in_the_api(
    client, api, registry, personas, areas
):
    from django.http import Http404
    from django.urls import reverse

    with pytest.raises(Http404):
        _export(personas.supervisor, "households", filters={"area": areas.far.code})
    with pytest.raises(Http404):
        _export(personas.supervisor, "households", filters={"area": "999999999999"})
    client.force_login(personas.supervisor)
    url = reverse("ledgers:export", args=["households"])
    data = {"households-format": "csv", "area": areas.far.code}
    assert client.post(url, data).status_code == 404
    assert (
        client.get(reverse("ledgers:rows", args=["households"]), {"area": areas.far.code})
    ).status_code == 404
    answer = api(personas.supervisor).post(
        "/api/v1/ledgers/households/exports/",
        {"format": "csv", "filters": {"area": areas.far.code}},
        format="json",
    )
    assert answer.status_code == 404
    # In scope, the same filter still answers with the file.
    data["area"] = areas.community.code
    assert client.post(url, data).status_code == 200


# ---- where and how export files are kept ------------------------------------------------------


def test_export_files_are_private_and_out_of_every_served_directory(
    registry, personas, settings, tmp_path, monkeypatch
):
    import os
    import stat

    from ledgers.models import ExportJob

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STATIC_ROOT = tmp_path / "static"
    settings.LEDGER_EXPORT_DIR = tmp_path / "private" / "exports"
    monkeypatch.setattr(exports, "SYNC_ROW_LIMIT", 0)
    old_umask = os.umask(0o022)  # what a server usually runs with: files 0644 by default
    try:
        req = exports.export_request_build(actor=personas.admin, ledger_name="members", fmt="csv")
        job = exports.export_job_start(actor=personas.admin, req=req)
        exports.export_job_run(job_id=job.pk)
    finally:
        os.umask(old_umask)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    path = exports.export_path(job)
    assert path.parent == settings.LEDGER_EXPORT_DIR
    for served in (settings.MEDIA_ROOT, settings.STATIC_ROOT):
        assert not path.is_relative_to(served)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_the_default_export_directory_is_under_the_data_directory_and_not_served():
    """Read from the settings module as a deployment gets it (no ZHULIAN_EXPORT_DIR)."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    from config.settings import base

    env = {k: v for k, v in os.environ.items() if k != "ZHULIAN_EXPORT_DIR"}
    env.setdefault("DJANGO_SECRET_KEY", "x" * 50)
    script = (
        "import json; from config.settings import base as b; "
        "print(json.dumps([str(b.LEDGER_EXPORT_DIR), str(b.MEDIA_ROOT), str(b.STATIC_ROOT)]))"
    )
    out = subprocess.run(  # noqa: S603 (this interpreter, a fixed script)
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    exports_dir, media, static = (Path(p) for p in json.loads(out.stdout.splitlines()[-1]))
    assert exports_dir == Path(base.BASE_DIR) / ".data" / "exports"
    assert not exports_dir.is_relative_to(media) and not exports_dir.is_relative_to(static)


# ---- what the export pages offer and how files are named -------------------------------------


def test_xlsx_is_the_default_and_csv_is_for_other_systems(client, api, registry, personas):
    from django.urls import reverse

    client.force_login(personas.supervisor)
    for url in (reverse("ledgers:index"), reverse("ledgers:rows", args=["households"])):
        html = client.get(url).content.decode()
        select = html[html.index('name="households-format"') :]
        select = select[: select.index("</select>")]
        assert select.index('value="xlsx"') < select.index('value="csv"')
        assert 'value="xlsx" selected' in select
        assert "CSV（供其他系统导入）" in select
    answer = api(personas.supervisor).post("/api/v1/ledgers/households/exports/", {}, format="json")
    assert answer.status_code == 200
    assert answer["Content-Type"] == exports.CONTENT_TYPES["xlsx"]


def test_file_names_say_the_area_by_name(registry, personas, areas):
    assert "_平江街道_" in _export(personas.supervisor, "households").filename
    filtered = _export(personas.supervisor, "households", filters={"area": areas.community.code})
    assert "_狮林社区_" in filtered.filename
    assert areas.community.code not in filtered.filename


def test_downloads_name_the_ledger_and_flag_full_numbers(
    client, api, registry, personas, monkeypatch
):
    from django.urls import reverse

    monkeypatch.setattr(exports, "SYNC_ROW_LIMIT", 0)
    admin = _full_exporter(personas)
    for full in (False, True):
        req = exports.export_request_build(
            actor=admin, ledger_name="members", fmt="xlsx", full_id_numbers=full
        )
        exports.export_job_start(actor=admin, req=req)
    client.force_login(admin)
    html = client.get(reverse("ledgers:downloads")).content.decode()
    assert html.count("家庭成员台账") == 2
    assert html.count("含完整身份证号") == 1
    jobs = api(admin).get("/api/v1/ledgers/exports/").json()
    assert {(j["ledger_title"], j["full_id_numbers"]) for j in jobs} == {
        ("家庭成员台账", False),
        ("家庭成员台账", True),
    }


# ---- month close before go-live ------------------------------------------------------------


def _column(ledger: str, key: str) -> int:
    return [c.key for c in exports.get_ledger(ledger).columns].index(key)


def test_a_month_close_before_go_live_places_rows_by_their_own_dates(registry, personas, areas):
    """Loaded today, with enrolments from 2026-01-01: on 2026-11-30 the households, their
    members and the enrolments were there; a household loaded without one was not."""
    import datetime as dt

    factories.household(area=areas.neighbour, address="菉葭巷3号")
    day = dt.date(2026, 11, 30)
    assert timezone.localdate() > day  # every event of the fixtures is after the cutoff
    rows = {
        name: _rows(_export(personas.admin, name, as_of=day), "csv")
        for name in ("households", "members", "enrolments")
    }
    households = rows["households"]
    assert [row[2] for row in households] == ["狮林寺巷8号", "南门路1号"]
    household = households[0]
    assert household[_column("households", "categories")] == "低保"
    assert household[_column("households", "amount")] == "850.00"
    assert household[_column("households", "members")] == "2"
    assert households[1][_column("households", "categories")] == "特困"
    assert sorted(row[2] for row in rows["members"]) == ["南门路1号", "狮林寺巷8号", "狮林寺巷8号"]
    categories = [row[_column("enrolments", "category")] for row in rows["enrolments"]]
    assert categories == ["低保", "特困"]
    for name, data in rows.items():
        assert {row[_column(name, "placed")] for row in data} == {"是"}, name
    # Before the enrolment started, nothing was on the books.
    assert all(
        _rows(_export(personas.admin, name, as_of=dt.date(2025, 12, 31)), "csv") == []
        for name in ("households", "members", "enrolments")
    )
    # Today's ledger has the column, empty.
    today = _rows(_export(personas.admin, "households"), "csv")
    assert {row[_column("households", "placed")] for row in today} == {""}


def test_a_month_close_in_the_future_is_refused(client, api, registry, personas):
    import datetime as dt

    from django.core.exceptions import ValidationError
    from django.urls import reverse

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        _export(personas.admin, "households", as_of=tomorrow)
    assert "不能晚于今天" in str(refused.value)
    answer = api(personas.admin).post(
        "/api/v1/ledgers/households/exports/",
        {"format": "csv", "as_of": tomorrow.isoformat()},
        format="json",
    )
    assert answer.status_code == 400
    assert "不能晚于今天" in answer.content.decode()
    client.force_login(personas.admin)
    page = client.post(
        reverse("ledgers:export", args=["households"]),
        {"households-format": "csv", "households-as_of": tomorrow.isoformat()},
        follow=True,
    )
    assert "不能晚于今天" in page.content.decode()
    assert "as_of" not in page.content.decode().split("导出条件有误")[1][:200]
    from core.models import AccessLog

    assert not AccessLog.objects.filter(action="export").exists()


def test_needs_before_go_live_are_placed_by_their_own_registration(registry, personas):
    import datetime as dt

    from matching import services as matching_services
    from matching.models import Need

    loaded = matching_services.need_create(
        actor=None, household=registry, type="care", subtype="daily_care", description="早登记"
    )
    matching_services.need_create(
        actor=None, household=registry, type="care", subtype="daily_care", description="新登记"
    )
    # Registered in November, loaded (and so tracked) only today.
    registered = timezone.make_aware(dt.datetime(2026, 11, 3, 9, 0))  # noqa: DTZ001 (made aware here)
    Need.objects.filter(pk=loaded.pk).update(created_at=registered)
    rows = _rows(_export(personas.admin, "needs", as_of=dt.date(2026, 11, 30)), "csv")
    assert [row[_column("needs", "description")] for row in rows] == ["早登记"]
    (row,) = rows
    assert row[2] == "狮林寺巷8号"
    assert row[_column("needs", "placed")] == "是"
