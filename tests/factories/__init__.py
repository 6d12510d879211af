"""Test data for every app, made through the real services so setup obeys the app's invariants.

One module per app (`households`, `cases`, `resources`); this package re-exports them so a test
writes `from tests import factories` and `factories.household(...)`, `factories.visit(...)`,
`factories.need(...)` whatever it makes. The resource pool fixture is not re-exported: a
conftest imports it from `tests.factories.resources`.
"""

from tests.factories.cases import add_months, days_ago, local, open_followup, snapshot, visit
from tests.factories.households import (
    area,
    enrolment,
    household,
    id_number,
    id_number_born_on,
    member,
    member_data,
    user,
)
from tests.factories.resources import need, provider, resource

__all__ = [
    "add_months",
    "area",
    "days_ago",
    "enrolment",
    "household",
    "id_number",
    "id_number_born_on",
    "local",
    "member",
    "member_data",
    "need",
    "open_followup",
    "provider",
    "resource",
    "snapshot",
    "user",
    "visit",
]
