"""manage.py schedule_followups: the nightly scheduling job, run by hand (Celery runs it too)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.nightly import nightly_steps
from cases.services import CHUNK_SIZE, followups_schedule


class Command(BaseCommand):
    help = "重新计算各户风险分层，生成、更新跟进计划并标记逾期（与每晚定时任务相同）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--chunk-size", type=int, default=CHUNK_SIZE, help=f"每批家庭户数 ({CHUNK_SIZE})"
        )
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, default=None, help="以该日期为今天 (YYYY-MM-DD)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["chunk_size"] < 1:
            raise CommandError("--chunk-size must be at least 1")
        started = time.perf_counter()
        result = followups_schedule(today=options["today"], chunk_size=options["chunk_size"])
        elapsed = time.perf_counter() - started
        if result.skipped:
            self.stdout.write("另一次排程正在运行，本次未执行。")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.households} 户，{result.chunks} 批，用时 {elapsed:.2f} 秒："
                f"分层变更 {result.tiers_changed}，新建跟进 {result.created}，"
                f"更新 {result.updated}，取消 {result.cancelled}。"
            )
        )
        # The other apps' clocks, as the nightly task keeps them (reviews: review due dates).
        for step in nightly_steps():
            self.stdout.write(step.line.format(n=step.run(today=options["today"])))
