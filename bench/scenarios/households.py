"""The household list: page 1, a deep page, exact identity-number search, name search.

"Ours" is the real page (HTML view through django.test.Client, as the district admin) or the
selector it uses; the references are the rows the page shows, fetched by one raw SQL query,
and for the deep page also the naive OFFSET query through the ORM.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from access.scope import like
from bench.runner import Case, Context, Skip, scenario
from households import idnumber, selectors
from households.models import Enrolment, Member

PAGE = 25
DEEP_PAGE = 1000
_UUID = re.compile(r"/households/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/")

# The columns the list page shows: head, address, area, active members, current categories.
_LIST_SQL = """
SELECT h.id, h.uuid, h.address, h.tier, a.name AS area, head.name AS head,
       (SELECT count(*) FROM households_member m
         WHERE m.household_id = h.id AND m.status = 'active') AS members,
       (SELECT array_agg(c.name ORDER BY c.sort_order)
          FROM households_enrolment e JOIN households_category c ON c.code = e.category_id
         WHERE e.household_id = h.id AND e.status = 'approved' AND e.start_date <= %(today)s
           AND (e.end_date IS NULL OR e.end_date >= %(today)s)) AS categories
  FROM households_household h
  JOIN households_area a ON a.id = h.area_id
  LEFT JOIN households_member head ON head.id = h.head_id
 WHERE h.area_code LIKE %(scope)s {condition}
 ORDER BY h.id DESC
 LIMIT {limit}
"""


def _sql_rows(condition: str = "", **params: Any) -> list[tuple[Any, ...]]:
    query = _LIST_SQL.format(condition=condition, limit=PAGE)
    with connection.cursor() as cursor:
        cursor.execute(query, {"today": timezone.localdate(), **params})
        return cursor.fetchall()


def _scope(context: Context) -> str:
    return like(context.admin.area.prefix)


def _list_url() -> str:
    try:
        return reverse("households:list")
    except NoReverseMatch:
        raise Skip("no URL named households:list yet") from None


def _with_page_prefetches(qs: QuerySet) -> QuerySet:
    """The prefetches of HouseholdListView, so the selector does the page's work."""
    today = timezone.localdate()
    current = (
        Enrolment.objects.filter(status=Enrolment.Status.APPROVED, start_date__lte=today)
        .exclude(end_date__lt=today)
        .select_related("category")
        .only("id", "household_id", "category__name", "category__sort_order")
    )
    active = Member.objects.filter(status=Member.Status.ACTIVE).only("id", "household_id", "name")
    return qs.prefetch_related(
        Prefetch("members", queryset=active, to_attr="active_members"),
        Prefetch("enrolments", queryset=current, to_attr="current"),
    )


def _get_page(context: Context, url: str, **params: str) -> Any:
    response = context.client().get(url, params)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return response


def _ids(result: Any) -> list[str]:
    """Household uuids, in order, from a response, model instances or SQL rows."""
    if hasattr(result, "content"):
        found = _UUID.findall(result.content.decode())
        return list(dict.fromkeys(found))
    return [str(getattr(row, "uuid", None) or row[1]) for row in result]


def _cursor(pk: int) -> str:
    """The list page's `after=` cursor for a household id."""
    from core.keyset import encode_cursor

    return encode_cursor(pk)


def _edge_of_page(context: Context, page: int) -> int:
    """The id of the last household on page `page - 1`: the keyset cursor of page `page`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM households_household WHERE area_code LIKE %s"
            " ORDER BY id DESC OFFSET %s LIMIT 1",
            [_scope(context), (page - 1) * PAGE - 1],
        )
        row = cursor.fetchone()
    if row is None:
        raise Skip(f"fewer than {(page - 1) * PAGE} households")
    return row[0]


# ---- (a) page 1 --------------------------------------------------------------------------


@scenario("(a) household list page 1, HTML view")
def list_page_one_view(context: Context) -> Case:
    url = _list_url()
    scope = _scope(context)
    return Case(
        ours=lambda: _get_page(context, url),
        references=[("raw SQL", lambda: _sql_rows(scope=scope))],
        rows=_ids,
        note="ours = HTTP + session + template + capped count + area choices",
    )


@scenario("(a) household list page 1, selector")
def list_page_one_selector(context: Context) -> Case:
    scope = _scope(context)
    admin = context.admin
    return Case(
        ours=lambda: list(_with_page_prefetches(selectors.household_list(actor=admin))[:PAGE]),
        references=[("raw SQL", lambda: _sql_rows(scope=scope))],
        rows=_ids,
    )


# ---- (b) page 1,000 ----------------------------------------------------------------------


@scenario("(b) household list page 1,000, HTML view")
def deep_page_view(context: Context) -> Case:
    url = _list_url()
    scope = _scope(context)
    edge = _edge_of_page(context, DEEP_PAGE)
    cursor = _cursor(edge)
    admin = context.admin
    offset = (DEEP_PAGE - 1) * PAGE
    return Case(
        ours=lambda: _get_page(context, url, after=cursor),
        references=[
            ("raw SQL keyset", lambda: _sql_rows("AND h.id < %(edge)s", scope=scope, edge=edge)),
            (
                f"ORM OFFSET {offset}",
                lambda: list(
                    _with_page_prefetches(selectors.household_list(actor=admin))[
                        offset : offset + PAGE
                    ]
                ),
            ),
        ],
        rows=_ids,
        note=f"keyset after id {edge}",
    )


@scenario("(b) household list page 1,000, selector keyset")
def deep_page_selector(context: Context) -> Case:
    scope = _scope(context)
    edge = _edge_of_page(context, DEEP_PAGE)
    admin = context.admin
    offset = (DEEP_PAGE - 1) * PAGE

    def ours() -> list[Any]:
        qs = selectors.household_list(actor=admin).filter(pk__lt=edge)
        return list(_with_page_prefetches(qs)[:PAGE])

    return Case(
        ours=ours,
        references=[
            ("raw SQL keyset", lambda: _sql_rows("AND h.id < %(edge)s", scope=scope, edge=edge)),
            (
                f"ORM OFFSET {offset}",
                lambda: list(
                    _with_page_prefetches(selectors.household_list(actor=admin))[
                        offset : offset + PAGE
                    ]
                ),
            ),
        ],
        rows=_ids,
    )


# ---- (c) exact identity number -----------------------------------------------------------

_BY_HASH = (
    "AND EXISTS (SELECT 1 FROM households_member m"
    " WHERE m.household_id = h.id AND m.id_number_hash = %(digest)s)"
)


def _some_number() -> str:
    member = Member.objects.order_by("id").only("id_number_cipher")
    count = member.count()
    if not count:
        raise Skip("no members")
    return idnumber.decrypt(member[count // 2].id_number_cipher)


@scenario("(c) exact identity-number search, selector")
def id_number_search(context: Context) -> Case:
    number = _some_number()
    scope = _scope(context)
    admin = context.admin
    return Case(
        ours=lambda: list(selectors.household_list(actor=admin, filters={"q": number})[:PAGE]),
        references=[
            (
                "raw SQL on the hash",
                lambda: _sql_rows(_BY_HASH, scope=scope, digest=idnumber.lookup_hash(number)),
            )
        ],
        rows=_ids,
    )


@scenario("(c) exact identity-number search, HTML view")
def id_number_search_view(context: Context) -> Case:
    url = _list_url()
    number = _some_number()
    scope = _scope(context)
    return Case(
        ours=lambda: _get_page(context, url, q=number),
        references=[
            (
                "raw SQL on the hash",
                lambda: _sql_rows(_BY_HASH, scope=scope, digest=idnumber.lookup_hash(number)),
            )
        ],
        rows=_ids,
    )


# ---- (d) two-character name fragment -----------------------------------------------------

_BY_NAME = (
    "AND (h.address LIKE %(like)s OR EXISTS (SELECT 1 FROM households_member m"
    " WHERE m.household_id = h.id AND m.name LIKE %(like)s))"
)


def _name_case(context: Context, fragment: str) -> Case:
    scope = _scope(context)
    admin = context.admin
    return Case(
        ours=lambda: list(selectors.household_list(actor=admin, filters={"q": fragment})[:PAGE]),
        references=[
            ("raw SQL LIKE", lambda: _sql_rows(_BY_NAME, scope=scope, like=f"%{fragment}%"))
        ],
        rows=_ids,
    )


@scenario("(d) name search 秀英 (common), selector")
def name_search_common(context: Context) -> Case:
    return _name_case(context, "秀英")


@scenario("(d) name search 无名 (no match: whole scan), selector")
def name_search_none(context: Context) -> Case:
    return _name_case(context, "无名")


@scenario("(d) name search 秀英, HTML view")
def name_search_view(context: Context) -> Case:
    url = _list_url()
    scope = _scope(context)
    return Case(
        ours=lambda: _get_page(context, url, q="秀英"),
        references=[("raw SQL LIKE", lambda: _sql_rows(_BY_NAME, scope=scope, like="%秀英%"))],
        rows=_ids,
    )
