"""The district dashboard (数据看板) beside the raw SQL GROUP BY that gives the same numbers.

"Ours" is the real page through django.test.Client as the district admin (session, scope,
the category table and the month's changes, the template); the reference is the GROUP BY
for the same table and changes, run bare on a cursor. The table reads the maintained
caseload summary (dashboards/summary.py), never the Redis cache, so every run is cold; the
"cache off" rows also turn off the cache of the other panels. The selector rows compare the
numbers themselves (summary against GROUP BY, today and a past day). The table's p95
target: under 150 ms with at most 10 queries.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from bench.runner import Case, Context, Skip, scenario
from dashboards import panels as dashboard
from dashboards import summary
from dashboards.panels import common
from tests.dashboard import oracle


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        raise Skip(f"no URL named {name}") from None


def _raw_table(context: Context, day: dt.date | None = None) -> Any:
    """The GROUP BYs over the registry for the table and the month's changes, bare."""
    scope = dashboard.dashboard_area(actor=context.admin)
    (sql, params), (changes_sql, changes_params) = oracle.caseload_queries(
        scope, day or timezone.localdate()
    )

    def run() -> tuple[list[tuple], list[tuple]]:
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
            cursor.execute(sql, params)
            table = cursor.fetchall()
            cursor.execute(changes_sql, changes_params)
            return table, cursor.fetchall()

    return run


def _numbers(result: tuple[list[tuple], list[tuple]]) -> tuple[dict, dict]:
    table, changes = result
    cells = {
        (None if g_child else child, None if g_code else code): (hh, persons)
        for child, code, hh, persons, g_child, g_code in table
        if hh or persons
    }
    month = {
        code: (new, suspended, ended)
        for _child, code, new, suspended, ended, g_child in changes
        if g_child and (new or suspended or ended)
    }
    return cells, month


def _selector(context: Context, day: dt.date) -> Case:
    scope = dashboard.dashboard_area(actor=context.admin)
    return Case(
        ours=lambda: summary.caseload_rows(scope, day),
        references=[("raw SQL GROUP BY, same numbers", _raw_table(context, day))],
        rows=_numbers,
        note=f"district, {day}: the summary's 3 queries against the 2 GROUP BYs",
    )


@scenario("dashboard: caseload numbers from the summary, today")
def caseload_numbers_today(context: Context) -> Case:
    return _selector(context, timezone.localdate())


@scenario("dashboard: caseload numbers from the summary, 45 days ago (history-placed)")
def caseload_numbers_past(context: Context) -> Case:
    return _selector(context, timezone.localdate() - dt.timedelta(days=45))


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


@scenario("dashboard: district caseload page, cache off (cold)")
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
        note="the first page after any change: nothing comes from Redis",
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


@scenario("dashboard: district caseload page, a past day, cache off (cold)")
def caseload_page_past(context: Context) -> Case:
    day = timezone.localdate() - dt.timedelta(days=45)
    page = _page(context, "dashboard:caseload", date=day.isoformat())

    def cold() -> Any:
        common.CACHE_ENABLED = False
        try:
            return page()
        finally:
            common.CACHE_ENABLED = True

    return Case(
        ours=cold,
        references=[("raw SQL GROUP BY, same numbers", _raw_table(context, day))],
        note=f"{day}: households placed by their history",
    )


@scenario("dashboard: district case-work page (follow-ups, visits, alerts, services)")
def casework_page(context: Context) -> Case:
    return Case(ours=_page(context, "dashboard:casework"), references=[], repeat=5)


@scenario("dashboard: district case-work page, cache off (cold)")
def casework_page_cold(context: Context) -> Case:
    page = _page(context, "dashboard:casework")

    def cold() -> Any:
        common.CACHE_ENABLED = False
        try:
            return page()
        finally:
            common.CACHE_ENABLED = True

    return Case(ours=cold, references=[], repeat=5)


@scenario("dashboard: district needs page (needs, referrals, resources)")
def needs_page(context: Context) -> Case:
    return Case(ours=_page(context, "dashboard:needs"), references=[], repeat=5)
