"""An import's report on a phone: each bad row's problem is readable without scrolling sideways."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from households import ledger_import
from households.ledger_import import ledger_template_csv
from tests.e2e.helpers import StaticLog, expect_fits_screen, expect_styled, log_in, snap

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_bad_rows_read_in_full_on_a_phone(
    phone: Page,
    personas: SimpleNamespace,
    static_log: StaticLog,
    tmp_path: Path,
    settings: pytest.FixtureRequest,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    text = ledger_template_csv()
    text = text.decode("utf-8-sig") if isinstance(text, bytes) else text
    header, first, *rest = text.strip().splitlines()
    cells = first.split(",")
    cells[12] = "abc"  # 月收入（元）: not a number
    source = tmp_path / "台账.csv"
    source.write_text("\n".join([header, ",".join(cells), *rest]) + "\n", encoding="utf-8")
    batch = ledger_import.ledger_import_validate(
        actor=personas.admin, source=source, original_name="台账.csv", area=None
    )
    assert batch.report["errors"], batch.report

    log_in(phone, "admin", "pw-admin")
    phone.goto(f"/ledgers/import/{batch.uuid}/")
    expect_styled(phone, static_log)
    expect_fits_screen(phone)
    problem = phone.locator("table.import-errors tbody tr td:last-child").first
    expect(problem).to_contain_text("不是数字")
    box = problem.bounding_box()
    width = phone.viewport_size["width"] if phone.viewport_size else 0
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, box
    snap(phone, "import-report-phone")
