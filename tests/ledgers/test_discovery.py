"""Each app's ledgers.py is imported at start-up; a broken one, or a hook no app provides,
stops start-up loudly."""

from __future__ import annotations

import dataclasses
import importlib
import types
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ledgers import definitions
from tests.core.test_ground_floor import our_packages, upward_imports

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


def test_the_registry_provides_what_the_ledgers_ask_of_it():
    """Areas, the identity-number cipher and the import come from the households app's
    ledgers module: the ledgers app, below it, names none of them."""
    from households import idnumber, ledger_import
    from households.ledgers import hooks as provided
    from households.selectors import area_get
    from ledgers import hooks

    assert hooks.areas().get is area_get
    assert hooks.id_numbers().decrypt is idnumber.decrypt
    importer = hooks.importer()
    assert importer.ledger == ledger_import.LEDGER
    assert importer.commit is ledger_import.ledger_import_commit
    assert importer.areas is provided.import_areas


@pytest.mark.parametrize("missing", ["areas", "id_numbers", "importer"])
def test_start_up_stops_when_no_app_provides_a_hook(monkeypatch, missing):
    """The import pages exist whatever is installed: without an importer (or the areas, or
    the cipher) start-up fails, not the first import or full export that needs it."""
    from ledgers import hooks

    provided = hooks._Provided(
        **{name: getattr(hooks._provided, name) for name in ("areas", "id_numbers", "importer")}
    )
    setattr(provided, missing, None)
    monkeypatch.setattr(hooks, "_provided", provided)
    monkeypatch.setattr(definitions, "autodiscover", lambda: None)
    with pytest.raises(ImproperlyConfigured, match=missing):
        apps.get_app_config("ledgers").ready()


def test_a_second_importer_is_refused(monkeypatch):
    from ledgers import hooks

    monkeypatch.setattr(hooks, "_provided", hooks._Provided(importer=hooks.importer()))
    other = dataclasses.replace(hooks.importer(), ledger="members")
    with pytest.raises(ImproperlyConfigured, match="Two ledger importers"):
        hooks.register_importer(other)


def test_the_ledgers_app_names_no_app_above_it():
    """import-linter holds the import statements (pyproject.toml, contract "ledgers"); this
    holds the ways round them too, as for core: a dotted path given to import_string or
    import_module, and apps.get_model of an app above."""
    root = Path(settings.BASE_DIR)
    above = our_packages() - {"ledgers", "access", "config"}
    offences = {
        str(path.relative_to(root)): found
        for path in sorted((root / "ledgers").rglob("*.py"))
        if (found := upward_imports(path.read_text(encoding="utf-8"), above))
    }
    assert offences == {}
