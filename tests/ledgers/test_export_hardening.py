"""Exports under hostile input and odd requests: formulas in CSV, month close with full
numbers, areas out of scope, the files' mode and place."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from python_calamine import CalamineWorkbook

from core.ledgers import exports
from core.ledgers.definitions import Kind, all_ledgers
from households import idnumber
from households.models import Member, User
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
