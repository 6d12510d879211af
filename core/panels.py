"""Panels: a page of one app showing a part that an app above it owns.

An app imports only from the floors below it (docs/architecture.md), yet its pages show
what other apps know: the household page has case work, needs and the income line; the
worklist has review dues. The page's app declares a `Slot`; each app that has something to
show registers a panel in its `AppConfig.ready()`: a template, and a function that gives
the template its context. The page merges those contexts into its own and includes the
templates in order, so it never imports the apps that fill it.

Everything runs at request time in the view's own transaction and queries; a panel that
fails raises like any other code of the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Panel:
    template: str
    # Called with the slot's keyword arguments (actor=, and the page's object); returns the
    # names its template reads, merged into the page's context.
    context: Callable[..., dict[str, Any]]
    order: int


class Slot:
    """One place on a page; the page's context gets `name` = the templates to include."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._panels: dict[str, Panel] = {}

    def register(
        self, *, template: str, context: Callable[..., dict[str, Any]], order: int = 100
    ) -> None:
        """Add a panel (by template: registering it again, as a second ready() would, replaces
        it). `order` places it among the others, lowest first."""
        self._panels[template] = Panel(template=template, context=context, order=order)

    def panels(self) -> list[Panel]:
        return sorted(self._panels.values(), key=lambda panel: (panel.order, panel.template))

    def context(self, **kwargs: Any) -> dict[str, Any]:
        """The panels' contexts merged, and `name`: their templates, in order.

        Two panels giving the same name would silently hide one another, so that is refused.
        """
        merged: dict[str, Any] = {}
        templates: list[str] = []
        for panel in self.panels():
            given = panel.context(**kwargs)
            clash = sorted(set(given) & (set(merged) | {self.name}))
            if clash:
                raise ImproperlyConfigured(
                    f"panel {panel.template} of slot {self.name} repeats {', '.join(clash)}"
                )
            merged.update(given)
            templates.append(panel.template)
        merged[self.name] = templates
        return merged
