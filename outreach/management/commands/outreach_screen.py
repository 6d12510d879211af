"""manage.py outreach_screen: the nightly 政策找人 / 应退尽退 screening, by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from outreach.services import outreach_screen


class Command(BaseCommand):
    help = "Find policy leads and 应退尽退 flags (idempotent; what the nightly job runs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=dt.date.fromisoformat, help="screen as of this day")

    def handle(self, *args: Any, **options: Any) -> None:
        result = outreach_screen(today=options.get("date"))
        if result.skipped:
            self.stderr.write("another screening is running; nothing done")
            return
        self.stdout.write(
            f"policies {result.policies}: leads found {result.leads_found}, "
            f"changed {result.leads_changed}, removed {result.leads_removed}; "
            f"flags found {result.flags_found}, changed {result.flags_changed}, "
            f"removed {result.flags_removed}"
        )
