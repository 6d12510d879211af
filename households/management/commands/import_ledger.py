"""manage.py import_ledger FILE [--area CODE] [--commit]: the household and member ledger import.

Without --commit it only prints the per-row report. With --commit the valid rows are
written in one transaction (or none are), as the operator running the command (no user:
enrolments are imported as approved). --area limits the rows to one area's scope.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from households.ledger_import import (
    ledger_import_commit,
    ledger_import_discard,
    ledger_import_validate,
)
from households.models import Area


class Command(BaseCommand):
    help = "Import a household and member ledger (XLSX or CSV); --commit to write."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--area", help="only rows inside this area code")
        parser.add_argument("--commit", action="store_true", help="write the valid rows")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        area = None
        if options["area"]:
            area = Area.objects.filter(code=options["area"]).first()
            if area is None:
                raise CommandError(f"unknown area code {options['area']}")
        try:
            batch = ledger_import_validate(
                actor=None, source=path, original_name=path.name, area=area
            )
        except ValidationError as error:  # too large, or an XLSX over the limits
            raise CommandError("; ".join(error.messages)) from None
        self._print_report(batch.report)
        if not options["commit"]:
            ledger_import_discard(batch=batch)
            self.stdout.write("Nothing written (add --commit to import the valid rows).")
            return
        try:
            batch = ledger_import_commit(actor=None, batch=batch)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        created = batch.created_counts
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {created['households']} households, {created['members']} members, "
                f"{created['enrolments']} enrolments (batch {batch.uuid})."
            )
        )

    def _print_report(self, report: dict[str, Any]) -> None:
        for message in report.get("file_errors", []):
            self.stderr.write(f"file: {message}")
        counts = report["counts"]
        self.stdout.write(
            f"rows {counts['total']}: {counts['valid']} to import "
            f"({counts['households']} new households), {counts['exists']} already registered, "
            f"{counts['errors']} with errors"
        )
        for error in report["errors"][:50]:
            self.stdout.write(
                f"  row {error['row']} {error['name']}: {'；'.join(error['messages'])}"
            )
        more = len(report["errors"]) - 50 + report.get("errors_truncated", 0)
        if more > 0:
            self.stdout.write(f"  … and {more} more rows with errors")
