"""Identity-number clashes with a household the actor cannot see: logged and rate-limited.

The uniqueness rule must answer "this number is already active elsewhere", and that answer
tells a worker that a person of another street is registered (and likely receives
assistance). It cannot be hidden without letting the same person be registered twice, so
every such answer is made slow and visible instead: it is written to the access log with
the user, and a user who has had ID_CLASH_LIMIT of them within ID_CLASH_WINDOW_SECONDS is
refused (429) any further new identity number until the window has passed, clash or not, so
that a refusal does not itself answer the question.

The count lives in the shared cache (Redis), a fixed window per user. While Redis is down
the count is not kept (fails open): registering people must go on, and every clash is still
in the access log for the auditors.

The access-log row cannot be written by the service that finds the clash: the clash rolls
its transaction back, and the row with it. `clashes_recorded()` wraps the service call in a
page or an API view and writes it after the rollback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import cache as shared
from core.errors import RateLimitedError

if TYPE_CHECKING:
    from django.http import HttpRequest

    from households.models import User


class IdNumberClashError(ValidationError):
    """A number that is active in a household out of the actor's scope (a field error)."""

    def __init__(self, errors: dict[str, Any], *, holder_household_id: int, field: str) -> None:
        super().__init__(errors)
        self.holder_household_id = holder_household_id
        self.field = field


class ClashLimitError(RateLimitedError):
    """The user has had too many clash answers in the window: no new number is checked."""

    def __init__(self) -> None:
        minutes = max(1, settings.ID_CLASH_WINDOW_SECONDS // 60)
        super().__init__(
            _(
                "您在短时间内多次录入已在其他地区登记的身份证号，系统已暂停您录入新的身份证号，"
                "请 %(minutes)s 分钟后再试。如确有需要，请联系区民政局核实。此情况已记入访问日志。"
            )
            % {"minutes": minutes},
            retry_after=settings.ID_CLASH_WINDOW_SECONDS,
        )


def _key(actor: User) -> str:
    return f"zhulian:idclash:{actor.pk}"


def _incr(key: str, window: int) -> int:
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def count(actor: User) -> int:
    """Count one clash answer for the actor; the count in the current window."""
    return shared.call(_incr, _key(actor), settings.ID_CLASH_WINDOW_SECONDS, default=0)


def limit_reached(actor: User | None) -> bool:
    """Whether the actor has used up the window's clash answers (no counting)."""
    if actor is None or not actor.pk:
        return False
    return (shared.call(cache.get, _key(actor), default=0) or 0) >= settings.ID_CLASH_LIMIT


@contextmanager
def clashes_recorded(*, actor: User, request: HttpRequest | None) -> Iterator[None]:
    """Around a service that may claim an identity number: log each clash with a household
    out of scope, and each refusal for the limit; a clash over the limit becomes a 429."""
    from households import services

    try:
        yield
    except IdNumberClashError as clash:
        over = count(actor) > settings.ID_CLASH_LIMIT
        services.id_number_clash_record(actor=actor, request=request, clash=clash, limited=over)
        if over:
            raise ClashLimitError from None
        raise
    except ClashLimitError:
        services.id_number_clash_record(actor=actor, request=request, clash=None, limited=True)
        raise
