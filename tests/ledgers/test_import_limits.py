"""Hostile uploads: size, zip bombs and sheet bombs are refused, and a reader crash stays in the
reader's own process (ledgers/upload.py, ledgers/sandbox_reader.py)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from households.ledger_import import ledger_import_validate, ledger_template_csv
from ledgers.models import ImportBatch

pytestmark = pytest.mark.django_db

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="{target}"/></Relationships>'
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<dimension ref="{ref}"/><sheetData>'
)
_TWO_CORNERS = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
    '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>y</t></is></c></row>'
)


def _xlsx(
    path: Path,
    *,
    ref: str,
    cells: str = _TWO_CORNERS,
    filler: int = 0,
    target: str = "worksheets/sheet1.xml",
) -> Path:
    """A minimal workbook; `filler` bytes of spaces inside the sheet make it inflate hugely
    (deflate packs a run of one byte about a thousand to one)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.format(target=target))
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(_SHEET_HEAD.format(ref=ref).encode())
            chunk = b" " * (1 << 20)
            for start in range(0, filler, len(chunk)):
                sheet.write(chunk[: filler - start])
            sheet.write(f"{cells}</sheetData></worksheet>".encode())
    return path


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def _stored(media: Path) -> list[Path]:
    folder = media / "media" / "imports"
    return list(folder.iterdir()) if folder.exists() else []


def _validate(actor, path: Path) -> ImportBatch:
    return ledger_import_validate(actor=actor, source=path, original_name=path.name)


def test_a_sheet_declaring_a1_to_xfd1048576_is_refused_before_it_is_stored(media, personas):
    path = _xlsx(media / "corners.xlsx", ref="A1:XFD1048576")
    assert path.stat().st_size < 2048
    with pytest.raises(ValidationError) as refused:
        _validate(personas.admin, path)
    message = " ".join(refused.value.message_dict["file"])
    assert "A1:XFD1048576" in message and "1048576 行" in message and "16384 列" in message
    assert not ImportBatch.objects.exists()
    assert _stored(media) == []


def test_cells_beyond_a_small_declared_dimension_are_refused_by_the_reader(media, personas):
    batch = _validate(personas.admin, _xlsx(media / "liar.xlsx", ref="A1:B2"))
    assert batch.report["counts"]["total"] == 0
    assert "单元格有 1048576 行、16384 列，超过上限" in batch.report["file_errors"][0]


def test_a_workbook_whose_first_sheet_we_cannot_find_has_every_sheet_counted(media, personas):
    path = _xlsx(media / "odd.xlsx", ref="A1", target="worksheets/../worksheets/sheet1.xml")
    batch = _validate(personas.admin, path)
    assert "单元格有 1048576 行、16384 列，超过上限" in batch.report["file_errors"][0]


def test_the_reader_dies_alone_when_every_check_lets_the_sheet_through(media, personas, settings):
    """With the row and column limits as large as Excel's own, the 1.5 KB file reaches the
    reader, which asks for 512 GiB and is aborted by its address-space limit: the import gets
    an error, and this process (standing for the web worker) carries on."""
    settings.LEDGER_IMPORT_MAX_ROWS = 1_048_576
    settings.LEDGER_IMPORT_MAX_COLUMNS = 16_384
    settings.LEDGER_IMPORT_READER_MEMORY_MB = 512
    batch = _validate(personas.admin, _xlsx(media / "corners.xlsx", ref="A1:XFD1048576"))
    assert "超出了内存限制或读取程序出错" in batch.report["file_errors"][0]
    assert batch.error_rows == 1
    csv = media / "after.csv"
    csv.write_bytes(ledger_template_csv())
    assert _validate(personas.admin, csv).report["counts"]["valid"] == 3


def test_a_sheet_that_inflates_hugely_is_refused_for_its_ratio(media, personas, settings):
    settings.LEDGER_IMPORT_MAX_INFLATED_MB = 1024
    path = _xlsx(media / "bomb.xlsx", ref="A1:A1", cells="", filler=16 << 20)
    assert path.stat().st_size < 100_000
    with pytest.raises(ValidationError) as refused:
        _validate(personas.admin, path)
    message = refused.value.message_dict["file"][0]
    assert "xl/worksheets/sheet1.xml" in message and "压缩比异常" in message
    assert not ImportBatch.objects.exists()
    assert _stored(media) == []


def test_a_workbook_over_the_inflated_total_is_refused(media, personas, settings):
    settings.LEDGER_IMPORT_MAX_RATIO = 1_000_000
    settings.LEDGER_IMPORT_MAX_INFLATED_MB = 8
    path = _xlsx(media / "bomb.xlsx", ref="A1:A1", cells="", filler=16 << 20)
    with pytest.raises(ValidationError) as refused:
        _validate(personas.admin, path)
    assert "解压后共 16.0 MB，超过上限 8.0 MB" in refused.value.message_dict["file"][0]
    assert not ImportBatch.objects.exists()


def test_a_file_that_is_no_zip_is_refused(media, personas):
    path = media / "fake.xlsx"
    path.write_bytes(b"not a zip at all")
    with pytest.raises(ValidationError) as refused:
        _validate(personas.admin, path)
    assert "不是有效的 XLSX" in refused.value.message_dict["file"][0]


def _big_csv(size: int) -> bytes:
    content = ledger_template_csv()
    return content + b"#" * (size - len(content))


def test_an_oversized_csv_is_refused_on_the_page_and_nothing_is_stored(
    client, media, personas, settings
):
    settings.LEDGER_IMPORT_MAX_UPLOAD_MB = 1
    client.force_login(personas.admin)
    upload = SimpleUploadedFile("big.csv", _big_csv((1 << 20) + 1), content_type="text/csv")
    response = client.post(reverse("ledgers:import"), {"file": upload})
    assert response.status_code == 400
    assert "文件过大（1.0 MB），导入文件不能超过 1.0 MB" in response.content.decode()
    assert not ImportBatch.objects.exists()
    assert _stored(media) == []


def test_an_oversized_csv_is_refused_by_the_api(api, media, personas, settings):
    settings.LEDGER_IMPORT_MAX_UPLOAD_MB = 1
    upload = SimpleUploadedFile("big.csv", _big_csv(3 << 20), content_type="text/csv")
    response = api(personas.admin).post(
        "/api/v1/ledgers/imports/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert "文件过大（3.0 MB）" in response.json()["file"][0]
    assert not ImportBatch.objects.exists()


def test_an_oversized_file_is_refused_by_the_service_too(media, personas, settings):
    settings.LEDGER_IMPORT_MAX_UPLOAD_MB = 1
    path = media / "big.csv"
    path.write_bytes(_big_csv(2 << 20))
    with pytest.raises(ValidationError):
        _validate(personas.admin, path)
    assert not ImportBatch.objects.exists()


def test_the_crafted_xlsx_is_refused_on_the_page_and_by_the_api(client, api, media, personas):
    content = _xlsx(media / "corners.xlsx", ref="A1:XFD1048576").read_bytes()
    client.force_login(personas.admin)
    page = client.post(reverse("ledgers:import"), {"file": SimpleUploadedFile("c.xlsx", content)})
    assert page.status_code == 400
    assert "超过上限" in page.content.decode()
    response = api(personas.admin).post(
        "/api/v1/ledgers/imports/",
        {"file": SimpleUploadedFile("c.xlsx", content)},
        format="multipart",
    )
    assert response.status_code == 400
    assert "超过上限" in response.json()["file"][0]
    assert not ImportBatch.objects.exists()


def test_a_csv_with_too_many_rows_is_refused_by_the_reader(media, personas, settings):
    settings.LEDGER_IMPORT_MAX_ROWS = 3
    path = media / "rows.csv"
    path.write_bytes(ledger_template_csv())
    batch = _validate(personas.admin, path)
    assert "4 行" in batch.report["file_errors"][0]


def test_the_reader_gets_none_of_the_apps_secrets(monkeypatch):
    """The child's environment is PATH and LANG only: no database URL, no identity key."""
    import subprocess

    from ledgers import upload

    seen = {}

    def run(command, **kwargs):
        seen.update(kwargs["env"])
        return subprocess.CompletedProcess(command, 0, b"", b"")

    monkeypatch.setattr(upload.subprocess, "run", run)
    upload._run_reader(Path("x.csv"), Path("out"))
    assert set(seen) == {"PATH", "LANG"}


def test_a_reader_past_its_time_is_stopped_and_the_import_says_so(media, personas, monkeypatch):
    import subprocess

    from ledgers import upload

    def run(command, **kwargs):
        raise subprocess.TimeoutExpired(command, kwargs["timeout"])

    monkeypatch.setattr(upload.subprocess, "run", run)
    path = media / "slow.csv"
    path.write_bytes(ledger_template_csv())
    batch = _validate(personas.admin, path)
    assert "读取该文件超过 30 秒仍未完成" in batch.report["file_errors"][0]


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (-6, "超出了内存限制"),  # SIGABRT: a native allocation refused by RLIMIT_AS
        (-11, "超出了内存限制"),  # SIGSEGV
        (-24, "秒仍未完成"),  # SIGXCPU: RLIMIT_CPU
        (-9, "秒仍未完成"),  # SIGKILL at the hard CPU limit
        (1, "读取程序出错"),  # an uncaught exception
        (5, "超出了内存限制"),  # MemoryError, caught
    ],
)
def test_every_way_the_reader_can_die_is_an_error_in_chinese(status, says):
    from ledgers import upload

    assert says in upload._failure(status, b"")


def test_a_reader_failure_message_masks_identity_numbers():
    from ledgers import upload

    why = b'{"error": "unreadable", "detail": "bad cell 32050619660606121X"}'
    message = upload._failure(4, why)
    assert "3205**********121X" in message and "32050619660606121X" not in message


def test_the_import_command_refuses_a_crafted_file_with_a_message(media, personas):
    from django.core.management import CommandError, call_command

    path = _xlsx(media / "corners.xlsx", ref="A1:XFD1048576")
    with pytest.raises(CommandError, match="超过上限"):
        call_command("import_ledger", str(path))
    assert not ImportBatch.objects.exists()
