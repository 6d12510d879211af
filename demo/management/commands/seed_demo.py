"""manage.py seed_demo --households N --seed S [--if-empty]: load realistic demo data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.seed import DEMO_PASSWORD, SeedResult, seed_demo

_CATEGORY_LINES = [
    ("dibao:approved", "低保（在保）"),
    ("dibao:suspended", "低保（暂停）"),
    ("dibian:approved", "低边"),
    ("tekun:approved", "特困（人）"),
    ("zhichu:approved", "支出型"),
    ("linshi:approved", "临时救助"),
    ("dibao:applied", "低保申请待审批"),
    ("dibian:applied", "低边申请待审批"),
    ("dibao:rejected", "低保申请未批准"),
    ("dibian:rejected", "低边申请未批准"),
]


class Command(BaseCommand):
    help = "生成演示数据：一个区、8个街道、100个社区及其网格、演示用户和困难家庭。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--households", type=int, default=2000, help="家庭户数 (2000)")
        parser.add_argument("--seed", type=int, default=1, help="随机种子，相同种子结果相同 (1)")
        parser.add_argument("--if-empty", action="store_true", help="已有家庭数据时什么也不做")
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, default=None, help="以该日期为今天 (YYYY-MM-DD)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["households"] < 0:
            raise CommandError("--households must not be negative")
        result = seed_demo(
            households=options["households"],
            seed=options["seed"],
            if_empty=options["if_empty"],
            today=options["today"],
        )
        if result.skipped:
            self.stdout.write(f"已有 {result.existing} 户家庭数据，未生成演示数据 (--if-empty)。")
            return
        self._summary(result)
        self._users(result)

    def _summary(self, result: SeedResult) -> None:
        counts = result.counts
        self.stdout.write(
            f"生成 {counts['households']} 户 / {counts['members']} 人，"
            f"救助认定 {counts['enrolments']} 条。"
        )
        for key, label in _CATEGORY_LINES:
            if counts[key]:
                self.stdout.write(f"  {label}: {counts[key]}")
        self.stdout.write(
            f"  残疾 {counts['disabled']} 人，慢性病/重病 {counts['ill']} 人，"
            f"80岁以上独居 {counts['elderly_alone_80']} 人"
        )
        self.stdout.write(
            f"资源池：新增救助力量 {counts['providers']} 个、资源 {counts['resources']} 项；"
            f"需求 {counts['needs']} 条（待匹配 {counts['need:open']}，"
            f"一键求助待核实 {counts['need:unverified']}），转介 {counts['referrals']} 条。"
        )
        self.stdout.write(
            f"走访记录 {counts['visits']} 条，已完成跟进 {counts['followups_done']} 条，"
            f"社工服务活动 {counts['activities']} 次。"
        )
        self.stdout.write(
            f"复核记录 {counts['reviews']} 条（维持不变 {counts['review:unchanged']}，"
            f"调整金额 {counts['review:amount']}，暂停 {counts['review:suspend']}，"
            f"终止 {counts['review:end']}）。"
        )
        self.stdout.write(
            f"政策找人：认定条件 {counts['policy_rules']} 条，线索 {counts['leads']} 条"
            f"（待处理 {counts['lead:open']}，已转介 {counts['lead:acted']}，"
            f"已忽略 {counts['lead:dismissed']}），应退尽退提示 {counts['exit_flags']} 条。"
        )
        previous, phases = 0.0, []
        for phase, elapsed in result.timings.items():
            phases.append(f"{phase} {elapsed - previous:.1f}s")
            previous = elapsed
        self.stdout.write(self.style.SUCCESS(f"用时 {previous:.1f} 秒 ({', '.join(phases)})"))

    def _users(self, result: SeedResult) -> None:
        assert result.users is not None  # noqa: S101 — set whenever not skipped
        self.stdout.write(f"\n演示用户（密码均为 {DEMO_PASSWORD}）：")
        for username, role, area in result.users.listed:
            self.stdout.write(f"  {username:<10} {role:<12} {area}")
        self.stdout.write(
            "  … 每个社区一至三名社工：worker002 … worker100，"
            "部分社区另有 worker001b、worker001c 等，密码相同。"
        )
