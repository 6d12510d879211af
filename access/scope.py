"""The scope rule, kept in one place.

A user bound to an Area sees the objects whose area code starts with that area's prefix.
A user with no area, an inactive user, or a role that reads no registry rows sees nothing.
Every selector, page, endpoint, export, dashboard and job on a user's behalf goes through
this module; out of scope reads as not found. Nothing else writes an area-code filter:

- `scoped(qs, actor=, field=)`: the rows an actor reads (a list);
- `covers(actor, area_code)`: whether one object lies in the actor's scope;
- `within(field, prefix)`: rows under an area (narrowing to a chosen area inside scope);
- `serving(field, prefix)`: resource-pool rows that serve an area (under it or above it);
- `like(prefix)`: the LIKE pattern raw SQL passes as its scope parameter.

`tests/access/test_floors.py` fails on a bare `__startswith` area filter or a hand-built LIKE
pattern anywhere else.

One widening, kept here too: street staff may give a follow-up to a social worker of another
community of the same street (a colleague covering). While that follow-up is open and theirs,
the worker reads and works on that household (its page, visits, follow-up, alerts: the
selectors that pass `lent=`); their area, and so the rest of their scope, is unchanged. Which
households are lent is read from follow-ups, which this module does not know: the cases app
registers the query at start-up (`register_lender`, from its AppConfig.ready).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from access.roles import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from access.roles import SignedIn

    Actor = SignedIn | AnonymousUser | None

# How many leading characters of a code are significant at each level of the tree.
PREFIX_LENGTH = {"district": 6, "street": 9, "community": 12, "grid": 15}

# The ids of households lent to a worker: a QuerySet of `household_id` values.
Lender = Callable[[Any], QuerySet]
_lender: list[Lender] = []  # at most one; a list so that registering needs no `global`


def scope_prefix(actor: Actor) -> str | None:
    """The area prefix the actor may read under, or None for nothing at all."""
    if actor is None:
        return None
    if not actor.is_authenticated:
        return None
    if not actor.is_active:
        return None
    if actor.area_id is None:
        return None
    return actor.area.prefix


def within(field: str, prefix: str) -> Q:
    """Rows whose area code (`field`) lies under the area with this prefix."""
    return Q(**{f"{field}__startswith": prefix})


def ancestor_prefixes(prefix: str) -> list[str]:
    """The prefixes of the areas above one: '320506001001' → ['320506', '320506001']."""
    return [prefix[:n] for n in sorted(PREFIX_LENGTH.values()) if n < len(prefix)]


def serving(field: str, prefix: str) -> Q:
    """Resource-pool rows that serve the area with this prefix: those kept under it, and
    those of the areas above it (a district's resource serves each of its communities)."""
    return within(field, prefix) | Q(**{f"{field}__in": ancestor_prefixes(prefix)})


def like(prefix: str) -> str:
    """The LIKE pattern of everything under `prefix`, for raw SQL (`area_code LIKE %(scope)s`).

    `\\`, `%` and `_` in the prefix are escaped (PostgreSQL's default escape character), so a
    prefix only ever matches itself."""
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def scoped(qs: QuerySet, *, actor: Actor, field: str, lent: str | None = None) -> QuerySet:
    """Filter `qs` to rows whose `field` (an area code) starts with the actor's prefix.

    With `lent` (the path to the row's household id), also the rows of households lent to
    the actor: see `lent_households`.
    """
    prefix = scope_prefix(actor)
    if prefix is None:
        return qs.none()
    condition = within(field, prefix)
    if lent is not None and _may_borrow(actor) and _lender:
        condition |= Q(**{f"{lent}__in": lent_households(actor)})
    return qs.filter(condition)


def covers(actor: Actor, area_code: str, *, household_id: int | None = None) -> bool:
    """Whether one object, with this area code (or an area's prefix), is in the actor's scope.

    With `household_id`, a household lent to the actor counts too. `actor=None` is covered
    by nothing: where None means the system, the caller says so before asking."""
    prefix = scope_prefix(actor)
    if prefix is None:
        return False
    if area_code.startswith(prefix):
        return True
    return household_id is not None and is_lent(actor, household_id)


def register_lender(lender: Lender) -> None:
    """Set the query for households lent to a worker (the cases app's AppConfig.ready)."""
    _lender[:] = [lender]


def _may_borrow(actor: Actor) -> bool:
    return getattr(actor, "role", None) == Role.SOCIAL_WORKER


def lent_households(actor: SignedIn) -> QuerySet:
    """Ids (`household_id`) of households outside the worker's own area that are lent to
    them, inside their street: see the module docstring."""
    if not _lender:
        raise LookupError("no lender is registered (the cases app registers it)")
    return _lender[0](actor)


def street_of(prefix: str) -> str:
    """The prefix of the street an area (by its prefix) lies in."""
    return prefix[: PREFIX_LENGTH["street"]]


def is_lent(actor: Actor, household_id: int) -> bool:
    """Whether the household is lent to the actor (for services that check one household)."""
    if not _may_borrow(actor) or scope_prefix(actor) is None or not _lender:
        return False
    return lent_households(actor).filter(household_id=household_id).exists()


def sql_within(code: str, prefix: str) -> str:
    """The raw-SQL condition "the area code `code` lies under the area prefix `prefix`", both
    SQL expressions of columns (a household's code, a worker's area prefix), for a statement
    run with parameters (so the wildcard is written `%%`). An actor's scope is a parameter
    instead: `like()`."""
    return f"{code} LIKE {prefix} || '%%'"
