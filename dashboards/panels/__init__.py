"""The caseload dashboard (数据看板): one selector per panel.

Where the numbers come from: the category table, the follow-ups and the visits read small
summary tables kept up to date by triggers in the transactions that write the registry
(dashboards.summary; their counting rules in dashboards/sql/): cold or warm, any area, any
day. The GROUP BYs over the registry that give the same numbers are the tests' oracle
(tests/dashboard/oracle.py). Alerts, services, needs, referrals
and resources are GROUP BYs over small or indexed sets, behind a versioned Redis cache.

Scope: every panel takes an `Area` that came from `dashboard_area()`, which looks it up
through households.selectors.area_get (the scoped root of areas: 404 when it is outside the
actor's area) and refuses roles that read no registry rows. Filtering by that area's prefix
therefore never widens the actor's scope. Reads go to the replica (`reading_from_replica`).

Counting (the category table, as a street office reports it: "低保 85户146人，特困 277人…"):
- an enrolment is active on day D by `households.ledgers.enrolment_active_on` (approved or
  since ended, start ≤ D ≤ end; a suspended one until the day before its suspension);
- 户 = distinct households with an active enrolment of the category; 人 = distinct members
  covered (Enrolment.members; a 特困 enrolment covers its one person), so a person covered
  by two enrolments counts once per category and once in the total;
- a household is counted in the area it was registered in on D: for a past date, households
  whose area changed since D are placed by their history (HouseholdEvent) instead.
Monthly changes (month of D, up to D): new = active enrolments starting in the month;
suspended = suspensions decided in the month; ended = enrolments whose last day fell in it;
these three are placed by the household's area of today, as are visits and follow-ups.
"""

from dashboards.panels.caseload import Caseload, CaseloadRow, Cell, caseload
from dashboards.panels.casework import (
    Alerts,
    FollowUpCounts,
    FollowUps,
    Services,
    Visits,
    alerts,
    followups,
    services,
    visits,
)
from dashboards.panels.common import (
    CHILD_LEVEL,
    DIRECT,
    AreaRef,
    Scope,
    dashboard_area,
    month_start,
)
from dashboards.panels.needs import (
    Needs,
    Referrals,
    ResourceUse,
    needs,
    referrals,
    resources,
)

__all__ = [
    "CHILD_LEVEL",
    "DIRECT",
    "Alerts",
    "AreaRef",
    "Caseload",
    "CaseloadRow",
    "Cell",
    "FollowUpCounts",
    "FollowUps",
    "Needs",
    "Referrals",
    "ResourceUse",
    "Scope",
    "Services",
    "Visits",
    "alerts",
    "caseload",
    "dashboard_area",
    "followups",
    "month_start",
    "needs",
    "referrals",
    "resources",
    "services",
    "visits",
]
