"""The district dashboard (数据看板) beside the raw SQL GROUP BY that gives the same numbers.

"Ours" is the real page through django.test.Client as the district admin (session, scope,
the category table and the month's changes, the template); the reference is the one GROUP BY
for the same table, run bare on a cursor. The API endpoint and the case-work page are timed
too. The table's p95 target: under 150 ms with at most 10 queries.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from bench.runner import Case, Context, Skip, scenario
from cases import dashboard
from cases.dashboard import caseload as caseload_module
from cases.dashboard import common
from core.ledgers.definitions import end_of_day


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        raise Skip(f"no URL named {name}") from None


def _raw_table(context: Context) -> Any:
    scope = dashboard.dashboard_area(actor=context.admin)
    day = timezone.localdate()
    sql = caseload_module._CASELOAD.format(
        households=caseload_module._HOUSEHOLDS_NOW, child=common.child_sql("act.code", scope)
    )
    params = {"like": scope.like, "day": day, "cutoff": end_of_day(day)}

    def run() -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def _page(context: Context, name: str, **params: str) -> Any:
    url = _url(name)
    client = context.client("admin")

    def run() -> Any:
        response = client.get(url, params)
        assert response.status_code == 200, response.status_code
        return response

    return run


@scenario("dashboard: district caseload page (category table, HTML)")
def caseload_page(context: Context) -> Case:
    return Case(
        ours=_page(context, "dashboard:caseload"),
        references=[("raw SQL GROUP BY, same numbers", _raw_table(context))],
        note="target p95 < 150 ms, ≤ 10 queries",
    )


@scenario("dashboard: district caseload page, cache off (every GROUP BY run)")
def caseload_page_cold(context: Context) -> Case:
    page = _page(context, "dashboard:caseload")

    def cold() -> Any:
        common.CACHE_ENABLED = False
        try:
            return page()
        finally:
            common.CACHE_ENABLED = True

    return Case(
        ours=cold,
        references=[("raw SQL GROUP BY, same numbers", _raw_table(context))],
        note="the cost of the first page after a change to enrolments or households",
        repeat=5,
    )


@scenario("dashboard: /api/v1/dashboard/caseload/ (JSON)")
def caseload_api(context: Context) -> Case:
    url = "/api/v1/dashboard/caseload/"
    client = context.client("admin")
    return Case(
        ours=lambda: client.get(url),
        references=[("raw SQL GROUP BY, same numbers", _raw_table(context))],
    )


@scenario("dashboard: district case-work page (follow-ups, visits, alerts, services)")
def casework_page(context: Context) -> Case:
    return Case(ours=_page(context, "dashboard:casework"), references=[], repeat=5)


@scenario("dashboard: district needs page (needs, referrals, resources)")
def needs_page(context: Context) -> Case:
    return Case(ours=_page(context, "dashboard:needs"), references=[], repeat=5)
