"""Every area filter goes through `access.scope`: no module of ours writes its own.

A bare `<area field>__startswith` filter, or a LIKE pattern built by hand (in Python or in
SQL), is how an out-of-scope row once leaked: a prefix left unescaped, a `None` prefix
formatted into a pattern, a filter on the wrong field. The helpers in `access.scope`
(`scoped`, `covers`, `within`, `serving`, `like`, `sql_within`) are the only place such a
filter is written; this test names the file and line of any other.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Not ours to police: the rule's own home, the suite, and what only the machine reads.
SKIPPED = {"access", "tests", "locale", "static", "templates", "docs", "node_modules"}

RULES = [
    # an ORM filter on an area code or prefix, or on a field named at run time
    (re.compile(r"\w*(?:code|prefix)__i?startswith\b"), "bare area filter: use access.scope"),
    (re.compile(r"\}__i?startswith\b"), "bare area filter on a computed field: use within()"),
    # a LIKE pattern built in Python: a "%" glued on, or wildcards escaped by hand
    (re.compile(r"""\+\s*f?["']%+["']"""), "hand-built LIKE pattern: use like()"),
    (re.compile(r"""\.replace\(\s*["']%"""), "hand-escaped LIKE pattern: use like()"),
    (re.compile(r"""f["'][^"']*\{[^{}]*(?:prefix|code)[^{}]*\}%"""), "hand-built LIKE: like()"),
    # a LIKE pattern built in SQL from a column
    (re.compile(r"""\|\|\s*'%"""), "hand-built LIKE in SQL: use sql_within()"),
]


def violations(text: str, name: str) -> list[str]:
    """`file:line: why` for each line of `text` that builds an area filter by hand."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        found += [f"{name}:{number}: {why}" for rule, why in RULES if rule.search(line)]
    return found


def _our_sources() -> list[Path]:
    tops = [p for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith(".")]
    files = [
        path
        for top in tops
        if top.name not in SKIPPED
        for path in top.rglob("*.py")
        if "migrations" not in path.parts
    ]
    return [*files, *ROOT.glob("*.py")]


def test_no_area_filter_is_written_outside_the_access_module():
    sources = _our_sources()
    assert any(p.parts[-2:] == ("households", "selectors.py") for p in sources)
    found = [
        problem
        for path in sources
        for problem in violations(path.read_text(), str(path.relative_to(ROOT)))
    ]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "snippet",
    [
        "qs.filter(area_code__startswith=prefix)",
        "qs.filter(household__area_code__startswith=actor.area.prefix)",
        "Q(area__prefix__startswith=area.prefix)",
        "Area.objects.filter(prefix__istartswith=p)",
        'qs.filter(**{f"{field}__startswith": prefix})',
        'params = {"like": scope.area.prefix + "%"}',
        "scope = prefix + '%'",
        'pattern = prefix.replace("%", "\\\\%")',
        'params = {"scope": f"{actor.area.prefix}%"}',
        "JOIN workers w ON n.area_code LIKE w.prefix || '%%'",
    ],
)
def test_a_hand_written_area_filter_is_caught(snippet):
    code = f"def scoped_read(actor):\n    {snippet}\n"
    assert violations(code, "app/selectors.py") != []
    assert violations(code, "app/selectors.py")[0].startswith("app/selectors.py:2: ")


@pytest.mark.parametrize(
    "snippet",
    [
        'qs.filter(within("household__area_code", prefix))',
        'scoped(qs, actor=actor, field="area_code", lent="pk")',
        'params = {"like": like(scope.area.prefix)}',
        'Resource.objects.filter(name__startswith="bench:")',
        "# area_code__startswith in a comment is only words",
        'like=f"%{fragment}%"',
    ],
)
def test_the_access_helpers_and_other_filters_pass(snippet):
    assert violations(f"x = 1\n{snippet}\n", "app/selectors.py") == []


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_access_module_imports_nothing_of_ours_but_core():
    """Every app above core imports access, so access importing one of them (even only for
    type hints, even inside a function) would be an arrow running the wrong way."""
    ours = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    allowed = {"access", "core"}
    found = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in sorted((ROOT / "access").rglob("*.py"))
        for module in _imported_modules(path)
        if module.split(".")[0] in ours - allowed
    ]
    assert not found, "\n".join(found)
    assert "households" in ours
