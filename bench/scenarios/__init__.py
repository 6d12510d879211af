"""Scenario modules. Every module in this package is imported by `load_all()`, and registers
its scenarios with `bench.runner.scenario`; add `cases.py`, `matching.py`, … beside this one.
"""

from __future__ import annotations

import importlib
import pkgutil


def load_all() -> list[str]:
    """Import every scenario module (households first); return their names."""
    names = sorted(
        (info.name for info in pkgutil.iter_modules(__path__)),
        key=lambda name: (name != "households", name),
    )
    for name in names:
        importlib.import_module(f"{__name__}.{name}")
    return names
