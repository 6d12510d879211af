"""Ledgers out and in, beside their references, on the bench data (2,000,000 visits).

CSV: our export (COPY … WITH (FORMAT csv) of the formula-safe SELECT, csvfile, straight into
the file, header and BOM added) of 1,000,000 rows of the visit ledger, against raw
`COPY (same query) TO STDOUT`, plain ORM iteration (values_list().iterator() into
csv.writer), and django-import-export (on 100,000 rows: it builds the whole dataset in
memory). XLSX: the export's own path end to end (COPY
of the shaped rows, splice, deflate: `exports.write_xlsx`) against XlsxWriter
(constant_memory), openpyxl (write_only) and rustpy-xlsxwriter fed from the same query, on
the same 200,000 rows, and ours alone on the 1,000,000 (target: 100,000 rows/s).
Import: validate and write 100,000 ledger rows (rolled back).
Peak memory: the process's resident size sampled during our run, above where it started.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import os
import random
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.db import connections, transaction

from bench.runner import Case, Context, Skip, scenario
from ledgers import csvfile, source
from ledgers.definitions import RowQuery, get_ledger
from ledgers.exports import write_xlsx

CSV_ROWS = int(os.environ.get("BENCH_LEDGER_ROWS", "1000000"))
XLSX_COMPARE_ROWS = 200_000
IMPORT_EXPORT_ROWS = 100_000
IMPORT_ROWS = 100_000
OUT = Path(tempfile.gettempdir()) / "zhulian-bench-ledger"


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


@contextlib.contextmanager
def _peak_rss() -> Iterator[dict[str, float]]:
    """Sample the resident size every 20 ms; yields a dict that gets 'peak_mb' (above start)."""
    result = {"peak_mb": 0.0}
    start = _rss_mb()
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            result["peak_mb"] = max(result["peak_mb"], _rss_mb() - start)
            time.sleep(0.02)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield result
    finally:
        done.set()
        thread.join()


def _visit_rows(context: Context, limit: int) -> RowQuery:
    from cases.models import Visit

    if Visit.objects.count() < limit:
        raise Skip(f"fewer than {limit} visits: run `manage.py seed_visits` on the bench database")
    ledger = get_ledger("visits")
    row_query = ledger.row_query(actor=context.admin)
    return RowQuery(row_query.queryset[:limit])


def _path(name: str) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    return OUT / name


def _ours_csv(row_query: RowQuery, headers: list[str]) -> Callable[[], int]:
    columns = get_ledger("visits").columns

    def run() -> int:
        with open(_path("ours.csv"), "wb") as out:
            csvfile.write_header(out, headers)
            with source.copy_csv(row_query, columns) as chunks:
                return csvfile.write_copied(out, chunks)

    return run


def _raw_copy(row_query: RowQuery) -> Callable[[], int]:
    sql, params, alias = source.compiled(row_query)

    def run() -> int:
        n = 0
        with open(_path("copy.csv"), "wb") as out, connections[alias].cursor() as cursor:  # noqa: SIM117
            with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
                for chunk in copy:
                    out.write(chunk)
                    n += 1
        return n

    return run


def _orm_iteration(row_query: RowQuery, headers: list[str]) -> Callable[[], int]:
    def run() -> int:
        n = 0
        with open(_path("orm.csv"), "w", newline="", encoding="utf-8-sig") as out:
            writer = csv.writer(out)
            writer.writerow(headers)
            for n, row in enumerate(row_query.queryset.iterator(chunk_size=5000), 1):  # noqa: B007
                writer.writerow(row)
        return n

    return run


def _memory_note(fn: Callable[[], int]) -> str:
    with _peak_rss() as peak:
        started = time.perf_counter()
        rows = fn()
        seconds = time.perf_counter() - started
    return f"{rows:,} rows, {rows / seconds:,.0f} rows/s, peak RSS +{peak['peak_mb']:.0f} MB"


@scenario("ledgers: CSV export of 1,000,000 visit rows")
def csv_export(context: Context) -> Case:
    row_query = _visit_rows(context, CSV_ROWS)
    headers = get_ledger("visits").headers
    ours = _ours_csv(row_query, headers)
    note = "ours: " + _memory_note(ours) + "; raw COPY: " + _memory_note(_raw_copy(row_query))
    return Case(
        ours=ours,
        references=[
            ("raw COPY … TO STDOUT (same query)", _raw_copy(row_query)),
            ("ORM values_list().iterator() + csv", _orm_iteration(row_query, headers)),
        ],
        note=note,
        rows=lambda n: n,
        repeat=3,
    )


@scenario("ledgers: CSV export of 100,000 rows vs django-import-export")
def csv_vs_import_export(context: Context) -> Case:
    try:
        from import_export import fields, resources
    except ImportError:
        raise Skip("django-import-export is not installed (the dev extra)") from None
    from cases.models import Visit

    row_query = _visit_rows(context, IMPORT_EXPORT_ROWS)
    headers = get_ledger("visits").headers

    class VisitResource(resources.ModelResource):
        area_code = fields.Field(attribute="household__area__code", column_name="区划代码")
        address = fields.Field(attribute="household__address", column_name="家庭住址")
        worker = fields.Field(attribute="worker__display_name", column_name="走访社工")

        class Meta:
            model = Visit
            fields = ("area_code", "address", "visit_date", "method", "worker", "needs_noted")

    ids = list(
        row_query.queryset.model.objects.order_by("visit_date", "id").values_list("id", flat=True)[
            :IMPORT_EXPORT_ROWS
        ]
    )

    def import_export() -> int:
        qs = Visit.objects.filter(id__in=ids).select_related("household__area", "worker")
        dataset = VisitResource().export(queryset=qs)
        _path("import-export.csv").write_text(dataset.csv, encoding="utf-8-sig")
        return len(dataset)

    ours = _ours_csv(row_query, headers)
    return Case(
        ours=ours,
        references=[("django-import-export (tablib, in memory)", import_export)],
        note="ours: " + _memory_note(ours) + "; import-export: " + _memory_note(import_export),
        rows=lambda n: n,
        repeat=2,
    )


def _ours_xlsx(context: Context, row_query: RowQuery, name: str) -> Callable[[], int]:
    """The export's own XLSX path, end to end: COPY of the shaped rows, splice, deflate."""
    ledger = get_ledger("visits")

    def run() -> int:
        with open(_path(name), "wb") as out:
            return write_xlsx(
                out,
                ledger,
                row_query,
                banner="bench",
                author="bench",
                created=dt.datetime.now(dt.UTC),
            )

    return run


def _typed_rows(row_query: RowQuery) -> Iterator[tuple[Any, ...]]:
    yield from row_query.queryset.iterator(chunk_size=5000)


def _xlsxwriter(row_query: RowQuery, headers: list[str]) -> Callable[[], int]:
    import xlsxwriter

    def run() -> int:
        workbook = xlsxwriter.Workbook(str(_path("xlsxwriter.xlsx")), {"constant_memory": True})
        sheet = workbook.add_worksheet("走访台账")
        sheet.write_row(0, 0, headers)
        n = 0
        for n, row in enumerate(_typed_rows(row_query), 1):
            sheet.write_row(n, 0, row)
        workbook.close()
        return n

    return run


def _openpyxl(row_query: RowQuery, headers: list[str]) -> Callable[[], int]:
    import openpyxl

    def run() -> int:
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("走访台账")
        sheet.append(headers)
        n = 0
        for n, row in enumerate(_typed_rows(row_query), 1):  # noqa: B007
            sheet.append(row)
        workbook.save(str(_path("openpyxl.xlsx")))
        return n

    return run


def _rustpy(row_query: RowQuery, headers: list[str]) -> Callable[[], int]:
    import rustpy_xlsxwriter

    def run() -> int:
        count = [0]

        def records() -> Iterator[dict[str, Any]]:
            for row in _typed_rows(row_query):
                count[0] += 1
                yield dict(zip(headers, row, strict=True))

        rustpy_xlsxwriter.FastExcel(str(_path("rustpy.xlsx"))).sheet("走访台账", records()).save()
        return count[0]

    return run


@scenario("ledgers: XLSX export of 200,000 visit rows")
def xlsx_compare(context: Context) -> Case:
    row_query = _visit_rows(context, XLSX_COMPARE_ROWS)
    headers = get_ledger("visits").headers
    ours = _ours_xlsx(context, row_query, "ours-200k.xlsx")
    references = [("XlsxWriter constant_memory", _xlsxwriter(row_query, headers))]
    references.append(("openpyxl write_only", _openpyxl(row_query, headers)))
    with contextlib.suppress(ImportError):
        references.append(("rustpy-xlsxwriter", _rustpy(row_query, headers)))
    return Case(
        ours=ours,
        references=references,
        note="ours: " + _memory_note(ours),
        rows=lambda n: n,
        repeat=1,
    )


@scenario("ledgers: XLSX export of 1,000,000 visit rows (ours)")
def xlsx_million(context: Context) -> Case:
    row_query = _visit_rows(context, CSV_ROWS)
    ours = _ours_xlsx(context, row_query, "ours-1m.xlsx")
    # The query alone, in the same run: what no writer can beat (the machine is shared).
    return Case(
        ours=ours,
        references=[("raw COPY … TO STDOUT of the same query (CSV)", _raw_copy(row_query))],
        note="ours: " + _memory_note(ours) + " (target: 100,000 rows/s, from the median)",
        repeat=3,
    )


# ---- import -------------------------------------------------------------------------------


def _import_file(rows: int) -> Path:
    """A CSV of `rows` people, three to a household, numbers no one in the bench data holds."""
    from households import idnumber
    from households.ledger_import import COLUMNS
    from households.models import Area

    communities = list(Area.objects.filter(level="community").values_list("code", flat=True)[:50])
    if not communities:
        raise Skip("no communities in the bench data")
    rng = random.Random(5)
    path = _path(f"import-{rows}.csv")
    keys = [c.key for c in COLUMNS]
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow([str(c.header) for c in COLUMNS])
        for i in range(rows):
            h, k = divmod(i, 3)
            head = idnumber.compose(
                "659001", dt.date(1940, 1, 1) + dt.timedelta(days=h // 500), h % 500 * 2 + 1
            )
            number = (
                head
                if k == 0
                else idnumber.compose(
                    "659002",
                    dt.date(1950, 1, 1) + dt.timedelta(days=(h * 2 + k) // 500),
                    (h * 2 + k) % 500 * 2,
                )
            )
            values = {
                "area_code": communities[h % len(communities)],
                "address": f"导入路{h}号",
                "head_id_number": head,
                "name": f"导入{i}",
                "id_number": number,
                "relation": "户主" if k == 0 else rng.choice(["配偶", "子女", "父母"]),
                "health": rng.choice(["健康", "慢性病"]),
                "monthly_income": str(rng.randint(0, 3000)),
                "category": "低保" if h % 4 == 0 else "",
                "start_date": "2026-01-01" if h % 4 == 0 else "",
                "monthly_amount": "900" if h % 4 == 0 else "",
            }
            writer.writerow([values.get(key, "") for key in keys])
    return path


class _Rollback(Exception):  # noqa: N818
    pass


@scenario("ledgers: import of 100,000 ledger rows (validate + write, rolled back)")
def import_rows(context: Context) -> Case:
    from households.ledger_import import (
        ledger_import_commit,
        ledger_import_discard,
        ledger_import_validate,
    )

    path = _import_file(IMPORT_ROWS)

    def run() -> int:
        created = 0
        batch = None
        try:
            with transaction.atomic():
                batch = ledger_import_validate(actor=None, source=path, original_name=path.name)
                batch = ledger_import_commit(actor=None, batch=batch)
                created = batch.created_counts["members"]
                raise _Rollback
        except _Rollback:
            pass
        finally:
            if batch is not None:  # rolled back: the commit did not remove the stored copy
                ledger_import_discard(batch=batch)
        return created

    return Case(
        ours=run, references=[], note="ours: " + _memory_note(run) + " (target < 60 s)", repeat=1
    )
