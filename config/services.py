"""Where PostgreSQL and Redis are.

DATABASE_URL and REDIS_URL win. Without them, the embedded servers that `make run` /
`make test` start (scripts/devservices.py) have written their addresses to
.data/services.env, and those are used. Neither: start-up stops with a clear message.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

SERVICES_ENV = Path(__file__).resolve().parent.parent / ".data" / "services.env"


def _embedded(name: str) -> str | None:
    if not SERVICES_ENV.exists():
        return None
    for line in SERVICES_ENV.read_text().splitlines():
        key, _, value = line.partition("=")
        if key.strip() == name:
            return value.strip()
    return None


def _required(name: str) -> str:
    value = os.environ.get(name) or _embedded(name)
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set and no embedded server is running: "
            "set it, or run `make run` / `make services` to start the embedded servers."
        )
    return value


def database_config(*, conn_max_age: int) -> dict[str, Any]:
    config = dj_database_url.parse(
        _required("DATABASE_URL"), conn_max_age=conn_max_age, conn_health_checks=True
    )
    config["ENGINE"] = "django.db.backends.postgresql"
    return config


def redis_url() -> str:
    return _required("REDIS_URL")


def replica_config(primary: dict[str, Any]) -> dict[str, Any]:
    """DATABASE_REPLICA_URL's settings, or the primary's own when there is no replica.

    Tests treat it as a mirror of the primary, so code that reads from it sees its own writes.
    """
    url = os.environ.get("DATABASE_REPLICA_URL")
    if not url:
        return {**primary, "TEST": {"MIRROR": "default"}}
    config = dj_database_url.parse(
        url, conn_max_age=primary.get("CONN_MAX_AGE", 0), conn_health_checks=True
    )
    config["ENGINE"] = "django.db.backends.postgresql"
    config["TEST"] = {"MIRROR": "default"}
    return config
