"""What the ledger machinery asks of the apps above it, which they provide at start-up.

The ledgers app sits below the registry: it imports none of the domain apps, so it cannot
look up an area, decrypt an identity number or import a household itself. The households
app provides each of these from its own `ledgers` module (imported by `autodiscover`, as the
admin imports each admin.py), and `check()` stops start-up when one is missing: the ledger
pages and the import URLs exist whatever is installed, and would otherwise fail on first use.

- `AreaSource`: the areas a user may name in a filter or an import (outside scope: 404);
- `IdNumberCipher`: how a cipher column is decrypted, and how an identity number typed into
  a filter is kept (hashed) in a job or the access log;
- `Importer`: the one ledger that can be imported, with its columns, checks and template.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from ledgers.importing import ImportColumn
    from ledgers.models import ImportBatch


@dataclass(frozen=True)
class AreaSource:
    # get(actor=, code=): the area, or Http404 when it is unknown or outside the actor's scope.
    get: Callable[..., Any]
    # name_of(code): an area's name whatever the scope, or None (a file name's area, kept on
    # an export job whose maker's scope may have changed since).
    name_of: Callable[[str], str | None]


@dataclass(frozen=True)
class IdNumberCipher:
    decrypt: Callable[[bytes], str]
    # A filter value fit to be stored: an identity number becomes its lookup hash.
    for_keeping: Callable[[str], str]


@dataclass(frozen=True)
class Importer:
    """The ledger that can be imported (ImportBatch.ledger) and what its pages call."""

    ledger: str
    columns: Sequence[ImportColumn]
    # areas(actor=): the areas the import form offers to narrow an import to.
    areas: Callable[..., Iterable[Any]]
    # validate(actor=, source=, original_name=, area=) -> ImportBatch with its report.
    validate: Callable[..., ImportBatch]
    # commit(actor=, batch=) -> ImportBatch, written or refused as a whole.
    commit: Callable[..., ImportBatch]
    # The downloadable template, by format ("csv", "xlsx"), and the name it is saved under.
    templates: dict[str, Callable[[], bytes]]
    template_name: str
    # What the confirmation says once a batch is in.
    committed_message: Callable[[ImportBatch], str]


@dataclass
class _Provided:
    areas: AreaSource | None = None
    id_numbers: IdNumberCipher | None = None
    importer: Importer | None = None


_provided = _Provided()


def provide_areas(source: AreaSource) -> None:
    _provided.areas = source


def provide_id_numbers(cipher: IdNumberCipher) -> None:
    _provided.id_numbers = cipher


def register_importer(importer: Importer) -> None:
    if _provided.importer is not None and _provided.importer.ledger != importer.ledger:
        raise ImproperlyConfigured(
            f"Two ledger importers: {_provided.importer.ledger!r} and {importer.ledger!r}; "
            "the import pages serve one."
        )
    _provided.importer = importer


def _required(name: str) -> Any:
    value = getattr(_provided, name)
    if value is None:
        raise ImproperlyConfigured(
            f"No app provides the ledgers' {name} (ledgers.hooks): the app that owns them "
            "provides them from its ledgers module."
        )
    return value


def areas() -> AreaSource:
    return _required("areas")


def id_numbers() -> IdNumberCipher:
    return _required("id_numbers")


def importer() -> Importer:
    return _required("importer")


def check() -> None:
    """Raise ImproperlyConfigured unless every hook is provided (after `autodiscover`)."""
    for name in ("areas", "id_numbers", "importer"):
        _required(name)
