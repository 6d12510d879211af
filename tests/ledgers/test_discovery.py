"""Each app's ledgers.py is imported at start-up; a broken one stops start-up loudly."""

from __future__ import annotations

import importlib
import types

import pytest
from django.apps import apps

from ledgers import definitions

pytestmark = pytest.mark.django_db


def test_every_apps_ledgers_are_registered_at_start_up():
    names = set(definitions.Ledger.registry)
    assert {"households", "followups"} <= names
    assert any(name.startswith("pool-") for name in names)


def test_a_ledger_module_that_fails_to_import_stops_discovery(monkeypatch):
    """Before, the error was logged and that app's ledgers answered 404 ever after."""
    real_import = importlib.import_module

    def import_with_a_broken_ledger(name: str, *args: object) -> types.ModuleType:
        if name == "resources.ledgers":
            raise TypeError("Column.__init__() got an unexpected keyword argument")
        return real_import(name, *args)

    monkeypatch.setattr("django.utils.module_loading.import_module", import_with_a_broken_ledger)
    with pytest.raises(TypeError, match="unexpected keyword"):
        definitions.autodiscover()


def test_the_ledgers_app_runs_discovery_when_it_is_ready(monkeypatch):
    """Discovery belongs to the ledgers app; core, the ground, knows no ledger."""
    calls = []
    monkeypatch.setattr(definitions, "autodiscover", lambda: calls.append("discovered"))
    apps.get_app_config("ledgers").ready()
    assert calls == ["discovered"]
