from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A domain rule said no. The message is for the user, in their language."""

    def __init__(self, message: str, *, extra: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class StaleVersionError(ApplicationError):
    """Someone saved the object after the caller read it: nothing is overwritten (409)."""

    def __init__(self) -> None:
        from django.utils.translation import gettext

        super().__init__(gettext("该记录已被他人修改，请刷新页面后重新编辑。"))


def check_version(obj: Any, expected: int | None) -> None:
    """Refuse a write made from an older read: `expected` is the `version` the caller saw
    (None: the caller did not say, as tasks and commands don't). Every versioned model
    counts its saves in `version`, and the service has locked the row before asking."""
    if expected is not None and obj.version != expected:
        raise StaleVersionError


class RateLimitedError(ApplicationError):
    """Too many of something in a window: a 429, with how long to wait."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
