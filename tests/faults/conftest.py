"""Fixtures of the fault tests: a throwaway Redis the app is pointed at, and Celery for real.

The machine's Redis (6379) and PostgreSQL are shared with other engineers and CI, so nothing
here stops them: each test gets a redis-server of its own on a free loopback port, and the
settings (CACHES, CELERY_BROKER_URL) and the Celery app are pointed at it for that test only.
Every process a test starts is stopped when it ends, pass or fail.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.faults.procs import RedisServer


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "faults: fault injection (Redis down, PostgreSQL restarted, workers killed)"
    )


@pytest.fixture
def replica_is_default() -> Iterator[None]:
    """Dashboards and exports read through the "replica" alias: inside a test's (rolled back)
    transaction it must be the default connection, as tests/dashboard and tests/ledgers do."""
    from django.db import connections

    original = connections["replica"]
    connections["replica"] = connections["default"]
    yield
    connections["replica"] = original


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def celery_broker(url: str) -> Iterator[Any]:
    """Make config.celery's app publish to `url` for real (no eager mode), then put it back."""
    from config.celery import app

    keys = ("broker_url", "task_always_eager", "task_eager_propagates")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(broker_url=url, task_always_eager=False, task_eager_propagates=False)
    _drop_connections(app)
    try:
        yield app
    finally:
        app.conf.update(saved)
        _drop_connections(app)


def _drop_connections(app: Any) -> None:
    """Make the app look its pools up again, so the next publish goes to the current URL.

    kombu keeps one pool per broker URL for the whole process: closing one would break
    every later publish to that URL (the machine's Redis, once the test is over).
    """
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@pytest.fixture
def on_redis(redis_server: RedisServer, settings: Any) -> Iterator[RedisServer]:
    """The app's cache and broker are the throwaway Redis, as base.py would have it."""
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": redis_server.url},
    }
    settings.CELERY_BROKER_URL = redis_server.url
    try:
        with celery_broker(redis_server.url):
            yield redis_server
    finally:
        _forget_the_outage()


def _forget_the_outage() -> None:
    """The cache's "Redis is down" flag and the help form's fallback counts are per process:
    clear them, so the tests after this one use the machine's Redis as usual."""
    from core import cache as shared
    from matching import throttle

    shared.reset()
    throttle._local.clear()


@contextlib.contextmanager
def deadline(seconds: float, what: str) -> Iterator[None]:
    """Fail (instead of hanging the suite) when the block takes longer than `seconds`."""

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"{what} took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def queued_messages(server: RedisServer, queue: str = "celery") -> list[dict[str, Any]]:
    """The task messages waiting in a queue of the throwaway Redis: headers and arguments."""
    import base64
    import json

    messages = []
    for raw in server.client().lrange(queue, 0, -1):
        envelope = json.loads(raw)
        body = json.loads(base64.b64decode(envelope["body"]))
        args, kwargs, _embed = body
        messages.append(
            {"task": envelope["headers"]["task"], "args": args, "kwargs": kwargs, "raw": raw}
        )
    return messages
