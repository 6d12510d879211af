"""manage.py caseload_summary: extend (nightly) or rebuild the dashboard's caseload summary."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dashboards.summary import caseload_summary_extend, caseload_summary_rebuild


class Command(BaseCommand):
    help = "维护数据看板的救助对象汇总表：默认顺延月度节点；--rebuild 按现有登记数据重建。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="按现有登记数据全部重建")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        if options["rebuild"]:
            caseload_summary_rebuild()
            self.stdout.write(f"rebuilt in {time.perf_counter() - started:.1f} s")
            return
        added = caseload_summary_extend()
        self.stdout.write(f"{added} month(s) added in {time.perf_counter() - started:.2f} s")
