"""The dashboard's summary tables: counts of the registry kept by database triggers.

Not domain data but a derived index of the registry, rebuilt from it at will; no history.
The triggers and functions that keep them are in dashboards/sql/, one file per rule and
version; Python only builds them from scratch and moves the monthly checkpoints on
(dashboards/summary.py).
The tables keep the names they had when they belonged to cases.

Each count comes as a pair: per day, and per month (a checkpoint or a monthly sum), read by
an area's code prefix (`area_code LIKE '3205%'`, hence the varchar_pattern_ops indexes).
"""

from __future__ import annotations

from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models import Q


def _scope_index(period: str, name: str) -> models.Index:
    """The index a panel reads through: a period, then an area's code prefix."""
    return models.Index(period, OpClass("area_code", name="varchar_pattern_ops"), name=name)


class CaseloadHorizon(models.Model):
    """One row: the last month the monthly checkpoints reach, and the zone days are read in.

    Missing (before the first build, during a bulk load that pauses the summary, or after a
    test flush) means "no summary": the triggers do nothing and the panels refuse to read.
    """

    month = models.DateField()
    time_zone = models.CharField(max_length=64)

    class Meta:
        db_table = "cases_caseloadhorizon"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="caseloadhorizon_one_row")]

    def __str__(self) -> str:
        return f"{self.month} {self.time_zone}"


class CaseloadCount(models.Model):
    """Households (户) and persons (人) of a category ("*": any) in an area."""

    area_code = models.CharField(max_length=15)
    category = models.CharField(max_length=16)  # a Category code, or "*" for all of them
    households = models.IntegerField(default=0)
    persons = models.IntegerField(default=0)

    class Meta:
        abstract = True


class CaseloadChanges(CaseloadCount):
    """A change on a day: households and persons that start (+) or stop (−) being counted,
    and the enrolments new, suspended and ended on it."""

    day = models.DateField()
    new = models.IntegerField(default=0)
    suspended = models.IntegerField(default=0)
    ended = models.IntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.area_code} {self.category} {self.day}"


class CaseloadPart(CaseloadChanges):
    """One household's share of CaseloadDelta, kept so a change to it can be subtracted."""

    household_id = models.BigIntegerField()

    class Meta:
        db_table = "cases_caseloadpart"
        indexes = [models.Index(fields=["household_id"], name="caseloadpart_household")]

    def __str__(self) -> str:
        return f"{self.household_id} {super().__str__()}"


class CaseloadDelta(CaseloadChanges):
    """The households' parts summed per area, category and day."""

    class Meta:
        db_table = "cases_caseloaddelta"
        constraints = [
            models.UniqueConstraint(
                fields=["area_code", "category", "day"], name="caseloaddelta_one_per_day"
            )
        ]
        indexes = [_scope_index("day", "caseloaddelta_scope")]


class CaseloadMonth(CaseloadCount):
    """Households and persons counted on the first day of `month`: the running sum of
    CaseloadDelta up to it, for every month from an area's first delta to the horizon."""

    month = models.DateField()

    class Meta:
        db_table = "cases_caseloadmonth"
        constraints = [
            models.UniqueConstraint(
                fields=["area_code", "category", "month"], name="caseloadmonth_one_per_month"
            )
        ]
        indexes = [_scope_index("month", "caseloadmonth_scope")]

    def __str__(self) -> str:
        return f"{self.area_code} {self.category} {self.month}"


class VisitCount(models.Model):
    """Visits per area (the household's area today) and method."""

    area_code = models.CharField(max_length=15)
    method = models.CharField(max_length=16)
    visits = models.IntegerField(default=0)

    class Meta:
        abstract = True


class VisitDay(VisitCount):
    day = models.DateField()

    class Meta:
        db_table = "cases_visitday"
        constraints = [
            models.UniqueConstraint(
                fields=["area_code", "day", "method"], name="visitday_one_per_day"
            )
        ]
        indexes = [_scope_index("day", "visitday_scope")]

    def __str__(self) -> str:
        return f"{self.area_code} {self.day} {self.method}"


class VisitMonth(VisitCount):
    month = models.DateField()

    class Meta:
        db_table = "cases_visitmonth"
        constraints = [
            models.UniqueConstraint(
                fields=["area_code", "month", "method"], name="visitmonth_one_per_month"
            )
        ]
        indexes = [_scope_index("month", "visitmonth_scope")]

    def __str__(self) -> str:
        return f"{self.area_code} {self.month} {self.method}"


class FollowUpCount(models.Model):
    """Follow-ups per area, assignee (0: none) and kind: "open" on their due date,
    "on_time"/"late" on the local day they were done."""

    area_code = models.CharField(max_length=15)
    assignee_id = models.BigIntegerField()
    kind = models.CharField(max_length=8)
    followups = models.IntegerField(default=0)

    class Meta:
        abstract = True


class FollowUpDay(FollowUpCount):
    day = models.DateField()

    class Meta:
        db_table = "cases_followupday"
        constraints = [
            models.UniqueConstraint(
                fields=["area_code", "assignee_id", "kind", "day"], name="followupday_one_per_day"
            )
        ]
        indexes = [_scope_index("day", "followupday_scope")]

    def __str__(self) -> str:
        return f"{self.area_code} {self.assignee_id} {self.kind} {self.day}"


class FollowUpMonth(FollowUpCount):
    month = models.DateField()

    class Meta:
        db_table = "cases_followupmonth"
        constraints = [
            models.UniqueConstraint(
                fields=["area_code", "assignee_id", "kind", "month"],
                name="followupmonth_one_per_month",
            )
        ]
        # Open follow-ups are read over all months before the day's: by area and kind.
        indexes = [
            models.Index(
                OpClass("area_code", name="varchar_pattern_ops"),
                "kind",
                name="followupmonth_scope",
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_code} {self.assignee_id} {self.kind} {self.month}"
