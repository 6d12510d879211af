"""No identity number in clear text: not in any table, not in the logs, not in a task message.

One flow through the pages, with the app's broker pointed at a throwaway Redis for real (no
eager mode), so what would be published is published: an admin registers a household, types
a wrong number (a validation error), adds and then changes a member's number, searches by
number, reveals one (the access log), a social worker logs a visit, and the admin exports
the member ledger filtered by a number, both at once and as a job with full numbers. Then
every text, JSON and binary column of every table (history events and their context
included) is searched for each number typed, and so are the captured log records and the
messages waiting in Redis.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.urls import reverse

from core.models import AccessLog
from households import idnumber
from households.models import Household, Member, User
from ledgers import exports
from ledgers.models import ExportJob
from tests.faults.conftest import queued_messages
from tests.faults.flows import login, visit_post

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db,
    pytest.mark.usefixtures("replica_is_default"),
]

HEAD = idnumber.compose("320506", dt.date(1948, 3, 9), 131)
SPOUSE = idnumber.compose("320506", dt.date(1951, 7, 2), 242)
SPOUSE_TYPO = SPOUSE[:17] + ("1" if SPOUSE[17] != "1" else "2")  # wrong check digit
SPOUSE_NEW = idnumber.compose("320506", dt.date(1951, 7, 20), 244)
NUMBERS = [HEAD, SPOUSE, SPOUSE_TYPO, SPOUSE_NEW]

_TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb")


def _columns() -> list[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = 'public' AND data_type = ANY(%s)"
            " ORDER BY table_name, column_name",
            [[*_TEXT_TYPES, "bytea"]],
        )
        return cursor.fetchall()


def _found_in_database(number: str) -> list[str]:
    """`table.column` of every column holding `number`, as text or as bytes."""
    found = []
    with connection.cursor() as cursor:
        for table, column, kind in _columns():
            if kind == "bytea":
                condition = f"position(convert_to(%s, 'UTF8') in \"{column}\") > 0"
            else:
                condition = f'strpos("{column}"::text, %s) > 0'
            cursor.execute(f'SELECT 1 FROM "{table}" WHERE {condition} LIMIT 1', [number])  # noqa: S608
            if cursor.fetchone():
                found.append(f"{table}.{column}")
    return found


def _member_form(name: str, number: str, relation: str = "spouse") -> dict[str, str]:
    return {
        "name": name,
        "id_number": number,
        "relation": relation,
        "health": "healthy",
        "labour_capacity": "none",
        "employment": "retired",
        "schooling": "none",
        "monthly_income": "0",
        "has_caregiver": "on",
    }


@pytest.fixture
def admin(personas) -> User:
    for codename in ("reveal_id_number", "export_full_id_number"):
        personas.admin.user_permissions.add(Permission.objects.get(codename=codename))
    return User.objects.get(pk=personas.admin.pk)


@pytest.fixture
def flow(client, admin, personas, areas, on_redis, tmp_path, settings, monkeypatch,
         django_capture_on_commit_callbacks, caplog):  # fmt: skip
    """Runs the whole flow with every log record captured; returns the throwaway Redis."""
    settings.MEDIA_ROOT = tmp_path / "media"
    caplog.set_level(logging.DEBUG)
    capture = django_capture_on_commit_callbacks
    login(client, admin)

    head = {f"head-{k}": v for k, v in _member_form("李桂兰", f" {HEAD[:6]} {HEAD[6:]} ").items()}
    response = client.post(
        reverse("households:create"),
        {"household-area": areas.grid.pk, "household-address": "狮林寺巷9号", **head},
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    home = Household.objects.get(address="狮林寺巷9号")
    add = reverse("households:member_add", args=[home.uuid])

    typo = client.post(add, _member_form("张德福", SPOUSE_TYPO))
    assert typo.status_code == 400 and "校验位" in typo.content.decode()
    assert client.post(add, _member_form("张德福", SPOUSE)).status_code == 302
    spouse = Member.objects.get(household=home, name="张德福")
    edit = client.post(
        reverse("households:member_edit", args=[spouse.uuid]),
        {**_member_form("张德福", SPOUSE_NEW), "status": "active", "version": spouse.version},
    )
    assert edit.status_code == 302, edit.content.decode()[:1000]

    found = client.post(reverse("households:id_search"), {"id_number": HEAD})
    assert found.status_code == 200 and "狮林寺巷9号" in found.content.decode()
    reveal = client.post(
        reverse("households:member_reveal", args=[home.head.uuid]), {"reason": "核对"}
    )
    assert reveal.status_code == 200 and HEAD in reveal.content.decode()

    client.force_login(personas.caseworker)
    visit = reverse("cases:visit_log", args=[home.uuid])
    assert client.post(visit, visit_post(home)).status_code == 302

    client.force_login(admin)
    # A number in a URL is refused before any view (core/url_guard.py), and not repeated.
    rows = client.get(reverse("ledgers:rows", args=["members"]), {"q": SPOUSE_NEW})
    assert rows.status_code == 400 and SPOUSE_NEW not in rows.content.decode()
    export = reverse("ledgers:export", args=["members"])
    now = client.post(export, {"members-format": "csv", "q": SPOUSE_NEW})
    assert now.status_code == 200 and now["X-Row-Count"] == "1"
    monkeypatch.setattr(exports, "SYNC_ROW_LIMIT", 0)
    with capture(execute=True):
        job = client.post(
            export, {"members-format": "xlsx", "members-full_id_numbers": "on", "q": SPOUSE_NEW}
        )
    assert job.status_code == 302
    assert ExportJob.objects.get().full_id_numbers
    assert AccessLog.objects.filter(action="reveal_id").count() == 1
    return on_redis


def test_no_identity_number_in_clear_in_any_table(flow):
    leaks = {number: _found_in_database(number) for number in NUMBERS}
    assert leaks == {number: [] for number in NUMBERS}
    assert len(_columns()) > 100  # the scan did see the schema (event tables included)


def test_no_identity_number_in_the_logs(flow, caplog):
    records = caplog.get_records("setup")  # the flow ran in the fixture
    text = "\n".join(
        [*(record.getMessage() for record in records), *(repr(r.args) for r in records)]
    )
    assert any(r.name == "django.request" for r in records)  # the 400 was logged, and seen
    for number in NUMBERS:
        assert number not in text


def test_task_messages_carry_ids_only(flow):
    messages = queued_messages(flow)
    assert [m["task"] for m in messages] == ["core.ledgers.tasks.ledger_export_task"]
    for message in messages:
        assert all(isinstance(arg, int) for arg in message["args"]) and not message["kwargs"]
        for number in NUMBERS:
            assert number.encode() not in message["raw"]
