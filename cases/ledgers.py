"""Case-work ledgers (台账): visits (走访台账) and follow-ups (跟进计划台账).

The rows are the scoped, filtered lists of cases/selectors.py (visit_list, followup_list)
with their own FilterSets, in fixed columns. Visits are not kept in history: a visit
ledger "as of" day D holds the visits dated on or before D and recorded by the end of D,
with their values as they are now (a visit record is not edited once logged).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import selectors
from cases.filters import FollowUpFilter, VisitFilter
from cases.models import FollowUp, Tier, Visit
from households.ledgers import household_columns, household_exprs
from ledgers.definitions import (
    AsText,
    Column,
    Kind,
    Ledger,
    LocalDateTime,
    RowQuery,
    end_of_day,
    label_of,
    register,
)

if TYPE_CHECKING:
    from households.models import User

_HOUSEHOLD_COLUMNS = household_columns()
_HOUSEHOLD_EXPRS = household_exprs()

VISIT_COLUMNS = [
    *_HOUSEHOLD_COLUMNS,
    Column("visit_date", _("走访日期"), "visit_date", Kind.DATE, width=12),
    Column("visited_at", _("走访时间"), "visited_at", width=16, trusted=True),
    Column("method", _("走访方式"), "method", width=8, trusted=True),
    Column("worker", _("走访社工"), "worker__display_name", width=10),
    Column("companions", _("同行人员"), "companions"),
    Column("living", _("基本生活"), "living_status", width=8, trusted=True),
    Column("housing", _("住房"), "housing_status", width=8, trusted=True),
    Column("health", _("健康"), "health_status", width=8, trusted=True),
    Column("employment", _("就业"), "employment_status", width=8, trusted=True),
    Column("schooling", _("就学"), "schooling_status", width=8, trusted=True),
    Column("mood", _("情绪与家庭关系"), "mood_status", width=10, trusted=True),
    Column("needs_noted", _("发现的需求"), "needs_noted", width=30),
    Column("changes", _("家庭变化"), "changes_summary", width=30),
]


def _visit_rows(
    *, actor: User | None, filters: dict, as_of: dt.date | None, full_id_numbers: bool
) -> RowQuery:
    qs = selectors.visit_list(actor=actor, filters=filters)
    if as_of is not None:
        qs = qs.filter(visit_date__lte=as_of, created_at__lt=end_of_day(as_of))
    findings = Visit.Finding.choices
    exprs = [
        *_HOUSEHOLD_EXPRS,
        AsText("visit_date"),
        LocalDateTime("visited_at"),
        label_of("method", Visit.Method.choices),
        F("worker__display_name"),
        F("companions"),
        *[label_of(f"{area}_status", findings) for area in _FINDING_FIELDS],
        F("needs_noted"),
        F("changes_summary"),
    ]
    qs = qs.order_by("visit_date", "id").values_list(*exprs)
    return RowQuery(qs)


_FINDING_FIELDS = ("living", "housing", "health", "employment", "schooling", "mood")

register(
    Ledger(
        name="visits",
        title=_("走访台账"),
        description=_("每次走访一行：日期、方式、社工和六个方面的情况。"),
        columns=VISIT_COLUMNS,
        filterset_class=VisitFilter,
        supports_as_of=True,
        as_of_filters=("area", "method", "worker", "date_after", "date_before"),
        rows=_visit_rows,
    )
)


FOLLOWUP_COLUMNS = [
    *_HOUSEHOLD_COLUMNS,
    Column("tier", _("风险分层"), "tier", width=12, trusted=True),
    Column("rule", _("分层依据"), "rule__name", width=20),
    Column("due", _("应跟进日期"), "due", Kind.DATE, width=12),
    Column("assignee", _("负责社工"), "assignee__display_name", width=10),
    Column("status", _("状态"), "status", width=8, trusted=True),
    Column(
        "overdue",
        _("是否逾期"),
        "overdue",
        width=8,
        help=_("待跟进且应跟进日期早于导出当日"),
        trusted=True,
    ),
    Column("completed_at", _("完成时间"), "completed_at", width=16, trusted=True),
]


def _followup_rows(
    *, actor: User | None, filters: dict, as_of: dt.date | None, full_id_numbers: bool
) -> RowQuery:
    today = timezone.localdate()
    qs = selectors.followup_list(actor=actor, filters=filters)
    late = Q(status=FollowUp.Status.OPEN, due__lt=today)
    exprs = [
        *_HOUSEHOLD_EXPRS,
        label_of("tier", Tier.choices),
        F("rule__name"),
        AsText("due"),
        F("assignee__display_name"),
        label_of("status", FollowUp.Status.choices),
        Case(When(late, then=Value(str(_("是")))), default=Value(str(_("否")))),
        LocalDateTime("completed_at"),
    ]
    return RowQuery(qs.order_by("due", "id").values_list(*exprs))


register(
    Ledger(
        name="followups",
        title=_("跟进计划台账"),
        description=_("每条跟进计划一行：分层、应跟进日期、负责社工、状态和是否逾期。"),
        columns=FOLLOWUP_COLUMNS,
        filterset_class=FollowUpFilter,
        list_url_name="cases:overdue",
        rows=_followup_rows,
    )
)
