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


# The history triggers (django-pghistory / pgtrigger) read these settings on every row inside
# BEGIN … EXCEPTION blocks. A missing one aborts a subtransaction per row, which makes large
# inserts quadratic (measured: 20,000 rows 24.8 s, against 1.8 s with the settings present).
# Connection defaults keep them present: writes outside a request (jobs, commands, imports)
# attach to one "system" history context; a request's middleware sets its own for its writes.
SYSTEM_HISTORY_CONTEXT = "00000000-0000-0000-0000-000000000000"
_SESSION_OPTIONS = " ".join(
    [
        "-c pgtrigger.ignore={}",
        f"-c pghistory.context_id={SYSTEM_HISTORY_CONTEXT}",
        '-c pghistory.context_metadata={"source":"system"}',
    ]
)


def _postgres(config: dict[str, Any]) -> dict[str, Any]:
    config["ENGINE"] = "django.db.backends.postgresql"
    options = config.setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} {_SESSION_OPTIONS}".strip()
    return config


def database_config(*, conn_max_age: int) -> dict[str, Any]:
    return _postgres(
        dj_database_url.parse(
            _required("DATABASE_URL"), conn_max_age=conn_max_age, conn_health_checks=True
        )
    )


def redis_url() -> str:
    return _required("REDIS_URL")


def replica_config(primary: dict[str, Any]) -> dict[str, Any]:
    """DATABASE_REPLICA_URL's settings, or the primary's own when there is no replica.

    Tests treat it as a mirror of the primary, so code that reads from it sees its own writes.
    """
    url = os.environ.get("DATABASE_REPLICA_URL")
    if not url:
        return {**primary, "TEST": {"MIRROR": "default"}}
    config = _postgres(
        dj_database_url.parse(
            url, conn_max_age=primary.get("CONN_MAX_AGE", 0), conn_health_checks=True
        )
    )
    config["TEST"] = {"MIRROR": "default"}
    return config
