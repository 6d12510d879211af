"""Ledger exports: columns, masking, the access log, jobs (retried, expired), month close, scope."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from access.capabilities import Can, can
from core.models import AccessLog
from households import idnumber, services
from households.models import EnrolmentEvent, HouseholdEvent, Member, MemberEvent
from ledgers import exports
from ledgers.definitions import all_ledgers
from ledgers.models import ExportJob
from ledgers.tasks import ledger_export_expire_task, ledger_export_task
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


@pytest.fixture
def registry(areas, personas, household, far_household):
    factories.enrolment(household=household, category="dibao", monthly_amount=850)
    return household


def _export(actor, ledger: str, fmt: str = "csv", **kwargs) -> exports.ExportFile:
    req = exports.export_request_build(actor=actor, ledger_name=ledger, fmt=fmt, **kwargs)
    return exports.export_now(actor=actor, req=req)


def _csv(file: exports.ExportFile) -> list[list[str]]:
    return list(csv.reader(io.StringIO(file.content.decode("utf-8-sig"))))


def _full_exporter(personas):
    permission = Permission.objects.get(codename="export_full_id_number")
    personas.admin.user_permissions.add(permission)
    from households.models import User

    return User.objects.get(pk=personas.admin.pk)


def test_every_ledger_is_registered_with_documented_columns():
    names = {ledger.name for ledger in all_ledgers()}
    assert {"households", "members", "enrolments", "visits", "needs", "referrals"} <= names
    for ledger in all_ledgers():
        assert ledger.headers and all(ledger.headers)


@pytest.mark.parametrize(
    "ledger", ["households", "members", "enrolments", "visits", "followups", "needs", "referrals"]
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_each_ledger_exports_in_both_formats(registry, personas, ledger, fmt):
    file = _export(personas.admin, ledger, fmt)
    assert file.filename.endswith(f".{fmt}")
    if fmt == "csv":
        assert _csv(file)[0] == [str(c.header) for c in exports.get_ledger(ledger).columns]


def test_member_ledger_masks_identity_numbers_and_names_the_columns(registry, personas):
    rows = _csv(_export(personas.supervisor, "members"))
    header, *data = rows
    assert header[:6] == ["区划代码", "社区/网格", "家庭住址", "户主姓名", "姓名", "身份证号"]
    assert len(data) == 2
    assert all("*" in row[5] for row in data)
    assert {row[19] for row in data} == {"低保"}


def test_full_numbers_need_the_permission_and_are_decrypted(registry, personas):
    with pytest.raises(PermissionDenied):
        _export(personas.admin, "members", full_id_numbers=True)
    with pytest.raises(PermissionDenied):
        _export(personas.viewer, "members", full_id_numbers=True)
    admin = _full_exporter(personas)
    rows = _csv(_export(admin, "members", full_id_numbers=True))[1:]
    numbers = {row[5] for row in rows}
    expected = {idnumber.decrypt(m.id_number_cipher) for m in Member.objects.all()}
    assert numbers == expected
    xlsx = _export(admin, "households", "xlsx", full_id_numbers=True)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content)).get_sheet_by_index(0)
    assert sheet.to_python()[2][4] == idnumber.decrypt(registry.head.id_number_cipher)


def test_auditor_exports_masked(registry, personas):
    permission = Permission.objects.get(codename="export_full_id_number")
    personas.viewer.user_permissions.add(permission)
    assert not can(personas.viewer, Can.EXPORT_FULL_ID_NUMBERS)
    rows = _csv(_export(personas.viewer, "members"))[1:]
    assert rows and all("*" in row[5] for row in rows)


def test_every_export_is_in_the_access_log(registry, personas, areas):
    _export(personas.supervisor, "households", "xlsx", filters={"area": areas.community.code})
    log = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    assert log.actor == personas.supervisor
    assert log.detail["ledger"] == "households"
    assert log.detail["filters"] == {"area": areas.community.code}
    assert log.detail["rows"] == 1
    assert log.detail["format"] == "xlsx"
    assert log.detail["full_id_numbers"] is False


def test_xlsx_says_who_exported_it_and_when(registry, personas):
    file = _export(personas.supervisor, "households", "xlsx")
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(file.content))
    sheet = workbook.get_sheet_by_index(0).to_python()
    assert "导出人：supervisor" in sheet[0][0]
    assert timezone.localdate().isoformat() in sheet[0][0]
    assert sheet[1][0] == "区划代码"
    assert sheet[2][2] == "狮林寺巷8号"


@pytest.mark.parametrize("who", ["outsider", "provider", "no_area"])
def test_scope_of_exports(registry, personas, who):
    user = getattr(personas, who)
    if who == "outsider":
        rows = _csv(_export(user, "households"))[1:]
        assert [row[2] for row in rows] == ["南门路1号"]
        return
    with pytest.raises(PermissionDenied):
        _export(user, "households")


def test_filters_are_the_lists_filters(registry, personas, areas):
    rows = _csv(_export(personas.admin, "households", filters={"category": "dibao"}))[1:]
    assert [row[2] for row in rows] == ["狮林寺巷8号"]
    rows = _csv(_export(personas.admin, "enrolments", filters={"area": areas.far.code}))[1:]
    assert rows == []


def test_month_close_reproduces_the_same_rows_later(registry, personas, areas):
    earlier = timezone.now() - dt.timedelta(days=3)
    for model in (HouseholdEvent, MemberEvent, EnrolmentEvent):
        model.objects.update(pgh_created_at=earlier)
    as_of = timezone.localdate() - dt.timedelta(days=1)
    before = {
        name: _csv(_export(personas.admin, name, as_of=as_of))
        for name in ("households", "members", "enrolments")
    }
    services.household_update(
        actor=personas.admin, household=registry, data={"address": "新地址1号"}
    )
    factories.member(household=registry, name="新成员")
    factories.household(area=areas.community, address="新家庭")
    after = {
        name: _csv(_export(personas.admin, name, as_of=as_of))
        for name in ("households", "members", "enrolments")
    }
    assert after == before
    assert before["households"][1][2] == "狮林寺巷8号"
    now = _csv(_export(personas.admin, "households"))
    assert "新地址1号" in {row[2] for row in now[1:]}


def test_month_close_refuses_filters_it_cannot_honour(registry, personas):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        exports.export_request_build(
            actor=personas.admin,
            ledger_name="households",
            fmt="csv",
            filters={"q": "王"},
            as_of=timezone.localdate(),
        )


# ---- the job path ----------------------------------------------------------------------------


@pytest.fixture
def always_a_job(monkeypatch):
    monkeypatch.setattr(exports, "SYNC_ROW_LIMIT", 0)


def test_a_large_export_becomes_a_job_that_lands_in_downloads(
    client, media, registry, personas, always_a_job, django_capture_on_commit_callbacks
):
    client.force_login(personas.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("ledgers:export", args=["members"]), {"members-format": "xlsx"}
        )
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE
    assert job.row_count == 3 and job.percent == 100
    assert job.expires_at > timezone.now()
    page = client.get(reverse("ledgers:downloads"))
    assert reverse("ledgers:download", args=[job.uuid]) in page.content.decode()
    status = client.get(reverse("ledgers:job_status", args=[job.uuid])).json()
    assert status["status"] == "done" and status["download_url"]
    download = client.get(status["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:2] == b"PK"
    assert AccessLog.objects.filter(action="export").count() == 1
    client.force_login(personas.supervisor)
    assert client.get(status["download_url"]).status_code == 404


def test_an_interrupted_job_is_retried_to_the_same_result_once(
    media, registry, personas, monkeypatch
):
    req = exports.export_request_build(actor=personas.admin, ledger_name="members", fmt="csv")
    job = exports.export_job_start(actor=personas.admin, req=req)
    real = exports.csvfile.write_copied
    calls = {"n": 0}

    def interrupted(out, chunks, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            next(iter(chunks))
            raise OperationalError("server closed the connection unexpectedly")
        return real(out, chunks, **kwargs)

    monkeypatch.setattr(exports.csvfile, "write_copied", interrupted)
    with pytest.raises(OperationalError):
        exports.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert not (exports.export_root() / f"{job.uuid}.csv").exists()
    ledger_export_task.apply(args=[job.pk])  # the retry
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert job.attempts == 2 and job.row_count == 3
    lines = (exports.export_root() / job.file_name).read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 4
    ledger_export_task.apply(args=[job.pk])  # delivered again: nothing happens
    assert AccessLog.objects.filter(action="export").count() == 1


def test_expired_files_are_deleted(media, registry, personas, always_a_job):
    req = exports.export_request_build(actor=personas.admin, ledger_name="households", fmt="csv")
    job = exports.export_job_start(actor=personas.admin, req=req)
    exports.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    path = exports.export_path(job)
    assert path.exists()
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(hours=1))
    assert ledger_export_expire_task.apply().get() == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED
    assert not path.exists()


# ---- pages and API ---------------------------------------------------------------------------


def test_export_is_post_only(client, registry, personas):
    client.force_login(personas.admin)
    assert client.get(reverse("ledgers:export", args=["households"])).status_code == 405


def test_small_export_downloads_at_once(client, registry, personas):
    client.force_login(personas.admin)
    response = client.post(
        reverse("ledgers:export", args=["households"]),
        {"households-format": "csv", "area": "320506001001"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert response.content.decode("utf-8-sig").count("\n") == 2


def test_ledger_rows_page_is_the_drill_down_list(client, registry, personas):
    client.force_login(personas.supervisor)
    response = client.get(reverse("ledgers:rows", args=["households"]), {"category": "dibao"})
    assert response.status_code == 200
    assert "狮林寺巷8号" in response.content.decode()
    client.force_login(personas.provider)
    assert client.get(reverse("ledgers:rows", args=["households"])).status_code == 404


def test_api_export_small_and_as_job(api, media, registry, personas, always_a_job):
    client = api(personas.admin)
    response = client.post("/api/v1/ledgers/enrolments/exports/", {"format": "csv"}, format="json")
    assert response.status_code == 202
    job = response.json()
    assert job["status"] in ("queued", "done")
    detail = client.get(f"/api/v1/ledgers/exports/{job['id']}/").json()
    assert detail["id"] == job["id"]
    assert api(personas.outsider).get(f"/api/v1/ledgers/exports/{job['id']}/").status_code == 404
    refused = api(personas.viewer).post(
        "/api/v1/ledgers/members/exports/",
        {"format": "csv", "full_id_numbers": True},
        format="json",
    )
    assert refused.status_code == 403
    assert (
        api(personas.admin)
        .post("/api/v1/ledgers/nothing/exports/", {"format": "csv"}, format="json")
        .status_code
        == 404
    )


def test_unconfirmed_uploads_are_deleted_with_the_expired_exports(media, settings):
    import os

    imports = exports.Path(settings.MEDIA_ROOT) / "imports"
    imports.mkdir(parents=True)
    old, new = imports / "old.csv", imports / "new.csv"
    old.write_text("身份证号")
    new.write_text("身份证号")
    stale = (timezone.now() - exports.EXPORT_TTL - dt.timedelta(hours=1)).timestamp()
    os.utime(old, (stale, stale))
    exports.export_jobs_expire()
    assert not old.exists() and new.exists()


def test_an_interrupted_xlsx_job_is_retried_to_the_same_result_once(
    media, registry, personas, monkeypatch
):
    req = exports.export_request_build(actor=personas.admin, ledger_name="members", fmt="xlsx")
    job = exports.export_job_start(actor=personas.admin, req=req)
    real = exports.source.copy_xlsx
    calls = {"n": 0}

    @contextlib.contextmanager
    def interrupted(row_query, kinds):
        calls["n"] += 1
        with real(row_query, kinds) as chunks:
            if calls["n"] > 1:
                yield chunks
                return

            def cut_off():
                yield next(iter(chunks))
                raise OperationalError("server closed the connection unexpectedly")

            yield cut_off()

    monkeypatch.setattr(exports.source, "copy_xlsx", interrupted)
    with pytest.raises(OperationalError):
        exports.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert not (exports.export_root() / f"{job.uuid}.xlsx").exists()
    ledger_export_task.apply(args=[job.pk])  # the retry
    job.refresh_from_db()
    assert (job.status, job.attempts, job.row_count) == (ExportJob.Status.DONE, 2, 3)
    book = CalamineWorkbook.from_path(str(exports.export_root() / job.file_name))
    assert len(book.get_sheet_by_index(0).to_python()) == 2 + 3
    assert not list(exports.export_root().glob("*.part"))  # the failed attempt's file is gone
    ledger_export_task.apply(args=[job.pk])  # delivered again: nothing happens
    assert AccessLog.objects.filter(action="export").count() == 1
