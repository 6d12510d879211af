"""The route walker: every named route and method the URL configuration serves, and what
the table misses of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from django.views import View

from tests.permission_matrix.table import MATRIX

# Not in the matrix, on purpose: Django's admin (its own permission system), the language
# switch, the schema and its docs (tests/test_schema.py), static files and DRF's format
# suffixes (none are mounted; they would be skipped like the rest).
SKIPPED_NAMESPACES = ("admin",)
SKIPPED_NAMES = ("set_language", "api-schema", "api-docs")


# ---- the routes of the URL configuration ------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    methods: tuple[str, ...]


def _methods(callback: Any) -> tuple[str, ...]:
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view is None:
        return ("get", "post")
    names = getattr(view, "http_method_names", View.http_method_names)
    return tuple(m for m in names if m not in ("options", "head") and hasattr(view, m))


def routes(resolver: URLResolver | None = None) -> list[Route]:
    """Every named route the resolver serves, less the ones skipped on purpose."""
    found: list[Route] = []

    def walk(node: URLResolver, prefix: str, namespace: str) -> None:
        for entry in node.url_patterns:
            if isinstance(entry, URLResolver):
                ns = namespace
                if entry.namespace:
                    ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                if ns.split(":")[0] in SKIPPED_NAMESPACES:
                    continue
                walk(entry, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern):
                pattern = prefix + str(entry.pattern)
                suffix = "format" in entry.pattern.regex.groupindex  # DRF's .json variants
                if suffix or entry.callback.__module__ == "django.views.static":
                    continue
                name = f"{namespace}:{entry.name}" if namespace else (entry.name or pattern)
                if name in SKIPPED_NAMES:
                    continue
                found.append(Route(name, pattern, _methods(entry.callback)))

    walk(resolver or get_resolver(), "", "")
    return found


def matrix_gaps(resolver: URLResolver | None = None) -> list[str]:
    """What the matrix misses of the URL configuration (and rows with no route)."""
    served = {(r.name, m) for r in routes(resolver) for m in r.methods}
    tested = {(c.name, c.method) for c in MATRIX}
    gaps = [
        f"{name} {method.upper()}: add it to the permission matrix"
        for name, method in sorted(served - tested)
    ]
    gaps += [
        f"{name} {method.upper()}: in the permission matrix but not served; remove it"
        for name, method in sorted(tested - served)
    ]
    return gaps
