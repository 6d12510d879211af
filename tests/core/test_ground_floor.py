"""core/ is the ground floor: it imports nothing of ours, so every app can stand on it.

Every module under core/ is parsed, function bodies and TYPE_CHECKING blocks included (a lazy
import is still an arrow upwards), and so are the ways round an import statement: a dotted
path given to import_module/import_string/__import__, and apps.get_model of one of our apps.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CORE = ROOT / "core"
_IMPORTERS = frozenset({"import_module", "import_string", "__import__"})


def our_packages() -> frozenset[str]:
    """The repository's own top-level packages and app labels, core excepted."""
    packages = {path.name for path in ROOT.iterdir() if (path / "__init__.py").is_file()}
    labels = {
        config.label
        for config in apps.get_app_configs()
        # An app folder at the repository's top; a virtualenv inside the checkout (CI's
        # .venv) holds the libraries' apps, which are not ours.
        if Path(config.path).resolve().parent == ROOT.resolve()
    }
    return frozenset((packages | labels) - {"core"})


def _callee(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _first_text(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def upward_imports(source: str, ours: frozenset[str]) -> list[tuple[int, str]]:
    """(line, what) for each reference in `source` to one of `ours`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] in ours]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] in ours:
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call):
            name, text = _callee(node.func), _first_text(node)
            if text is None:
                continue
            if name in _IMPORTERS and text.split(".")[0] in ours:
                found.append((node.lineno, text))
            elif name == "get_model" and text.split(".")[0] in ours:
                found.append((node.lineno, f"get_model({text!r})"))
    return found


def test_our_packages_are_found():
    """The check below would pass vacuously if it knew none of the apps above core."""
    ours = our_packages()
    expected = {"households", "cases", "matching", "resources", "reviews", "accounts", "ledgers"}
    assert expected | {"config"} <= ours
    assert "core" not in ours


def test_core_imports_nothing_of_ours():
    ours = our_packages()
    offences = {}
    for path in sorted(CORE.rglob("*.py")):
        found = upward_imports(path.read_text(encoding="utf-8"), ours)
        if found:
            offences[str(path.relative_to(ROOT))] = found
    assert offences == {}, "core/ imports from the floors above it"


OURS = frozenset({"households", "cases", "ledgers", "accounts"})


@pytest.mark.parametrize(
    "snippet",
    [
        "from households.models import User",
        "import cases.models",
        "import ledgers",
        "def f():\n    from households import idnumber\n    return idnumber",
        "class A:\n    def m(self):\n        import accounts.models as m\n        return m",
        "if TYPE_CHECKING:\n    from households.models import User",
        "import importlib\nimportlib.import_module('ledgers.definitions')",
        "from django.utils.module_loading import import_string\nimport_string('accounts.x.Y')",
        "from django.apps import apps\napps.get_model('households', 'Household')",
        "from django.apps import apps\napps.get_model('households.Member')",
    ],
)
def test_the_check_catches_an_upward_import(snippet):
    assert upward_imports(snippet, OURS)


@pytest.mark.parametrize(
    "snippet",
    [
        "from core.models import AccessLog",
        "from django.apps import apps\napps.get_model('auth', 'User')",
        "import households_of_someone_else",
        "from . import models",
        "text = 'households.models.User'",
    ],
)
def test_the_check_leaves_the_ground_and_libraries_alone(snippet):
    assert upward_imports(snippet, OURS) == []
