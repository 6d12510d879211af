"""Load: 50 social workers at once, on gunicorn, driven by Locust from a second process.

Each simulated worker (worker, worker002 … worker050, each in their own community) reads the
worklist, opens households from it and now and then logs a visit (the form, then its POST),
pausing 1–3 s between taps (bench/load/locustfile.py). The server is gunicorn as deployed:
config.settings.base with DEBUG off, sync workers, persistent database connections, on a free
loopback port, reading and writing the bench database. The reference is the same number of
requests at the same pace to /healthz, which touches no database: what the stack (gunicorn,
middleware, loopback, Locust itself) costs on this machine in the same minute.

Environment: LOAD_USERS (50), LOAD_SECONDS (60), LOAD_MAX_REQUESTS (6000, a bound on what a
run writes), LOAD_GUNICORN_WORKERS (4), LOAD_THINK ("1,3": seconds between two taps).
Sessions are made directly in the session table with the server's secret key, so 50 password
hashes (PBKDF2, ~0.3 s of CPU each) do not land in the measured minute. Target: p95 < 300 ms
and no errors. Locust runs FastHttpUser (bench/load/locustfile.py): it shares the machine's
cores with the server, so its own cost per request is kept small. The load average printed
with each run says how much of the machine the run had.
"""

from __future__ import annotations

import atexit
import base64
import csv
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import runner
from bench.runner import Case, Context, Skip, scenario

USERS = int(os.environ.get("LOAD_USERS", "50"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "6000"))
GUNICORN_WORKERS = int(os.environ.get("LOAD_GUNICORN_WORKERS", "4"))
THINK = os.environ.get("LOAD_THINK", "1,3")
TARGET_P95_MS = 300
ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = ROOT / "bench" / "load" / "locustfile.py"
BIN = Path(sys.executable).parent


@dataclass
class Stats:
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    by_name: dict[str, tuple[int, float, float]]  # name: (requests, p50, p95)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:
    """In the child: be killed if the benchmark dies without its atexit (kill -9)."""
    import ctypes
    import signal

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class _Server:
    """gunicorn config.wsgi on 127.0.0.1, stopped at exit whatever happens."""

    def __init__(self, workdir: Path, workers: int) -> None:
        from django.conf import settings

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "gunicorn.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DJANGO_DEBUG": "0",
            # The runner's own keys: its sessions must be valid there, its data readable.
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
            "ZHULIAN_ID_KEY": base64.b64encode(settings.ZHULIAN_ID_KEY).decode(),
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "LOG_LEVEL": "WARNING",
        }
        args = [
            str(BIN / "gunicorn"), "config.wsgi",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(workers),
            "--timeout", "60",
        ]  # fmt: skip
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(  # noqa: S603 — our own binary, fixed arguments
                args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=_die_with_parent,
            )  # fmt: skip
        atexit.register(self.stop)
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn died: {self.log.read_text()[-2000:]}")
            if get(self.url + "/healthz")[0] == 200:
                return
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def get(url: str, session: str = "") -> tuple[int, bytes]:
    request = urllib.request.Request(url)  # noqa: S310 — loopback only
    if session:
        request.add_header("Cookie", f"sessionid={session}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""
    except OSError:
        return 0, b""


def _usernames(n: int) -> list[str]:
    return ["worker", *(f"worker{i:03d}" for i in range(2, n + 1))]


def _sign_in(context: Context, n: int) -> dict[str, str]:
    """A session per social worker, as a login would leave it; deleted at exit."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    sessions = {}
    for username in _usernames(n):
        user = context.user(username)
        if user.role != user.Role.SOCIAL_WORKER:
            raise Skip(f"{username} is not a social worker in the bench database")
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions[username] = store.session_key
    keys = list(sessions.values())
    atexit.register(lambda: Session.objects.filter(session_key__in=keys).delete())
    return sessions


def _warm_up(server: _Server, session: str) -> None:
    """First requests of each gunicorn worker import and compile; not part of the minute."""
    for _ in range(GUNICORN_WORKERS * 4):
        get(server.url + "/cases/worklist/", session)
        get(server.url + "/healthz")


def _locust(user_class: str, server: _Server, sessions_file: Path, workdir: Path) -> Stats:
    prefix = workdir / user_class
    args = [
        str(BIN / "locust"), "-f", str(LOCUSTFILE), "--headless",
        "--users", str(USERS), "--spawn-rate", str(max(1, USERS // 5)),
        "--run-time", f"{SECONDS}s", "--stop-timeout", "5",
        "--host", server.url, "--csv", str(prefix), "--only-summary",
        "--loglevel", "WARNING", user_class,
    ]  # fmt: skip
    env = {
        **os.environ,
        "LOAD_SESSIONS": str(sessions_file),
        "LOAD_MAX_REQUESTS": str(MAX_REQUESTS),
        "LOAD_THINK": THINK,
    }
    done = subprocess.run(  # noqa: S603
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=SECONDS + 120,
        check=False,
    )  # fmt: skip
    stats_file = Path(f"{prefix}_stats.csv")
    if not stats_file.exists():
        raise RuntimeError(f"locust wrote no stats: {done.stderr[-1500:]}")
    return _read_stats(stats_file)


def _read_stats(path: Path) -> Stats:
    by_name: dict[str, tuple[int, float, float]] = {}
    total = None
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            count, p50, p95 = int(row["Request Count"]), float(row["50%"]), float(row["95%"])
            if row["Name"] == "Aggregated":
                total = Stats(
                    requests=count,
                    failures=int(row["Failure Count"]),
                    rps=float(row["Requests/s"]),
                    p50=p50,
                    p95=p95,
                    by_name=by_name,
                )
            else:
                by_name[row["Name"]] = (count, p50, p95)
    if total is None:
        raise RuntimeError(f"no Aggregated row in {path}")
    return total


def _rows(ours: Stats, ref: Stats) -> list[runner.Row]:
    verdict = "target met" if ours.p95 < TARGET_P95_MS and not ours.failures else "TARGET MISSED"
    load = runner.Row(
        f"load: {USERS} social workers, p50 under load, gunicorn {GUNICORN_WORKERS} workers"
        " — vs GET /healthz, same pacing",
        ours_ms=ours.p50,
        reference_ms=ref.p50,
    )
    load.notes += [
        f"{ours.rps:.1f} req/s, p95 {ours.p95:.0f} ms, {ours.failures} errors"
        f" of {ours.requests} requests",
        f"ref {ref.rps:.1f} req/s, p95 {ref.p95:.0f} ms, {ref.failures} errors",
        f"p95 < {TARGET_P95_MS} ms and no errors: {verdict}",
        "; ".join(
            f"{name} {n}× p50 {p50:.0f}/p95 {p95:.0f}"
            for name, (n, p50, p95) in ours.by_name.items()
        ),
        f"{SECONDS} s, think {THINK.replace(',', '–')} s, load average {os.getloadavg()[0]:.1f}",
    ]
    return [load]


@scenario("load: one worklist request through gunicorn, idle server")
def social_workers_under_load(context: Context) -> Case:
    if not (BIN / "locust").exists() or not shutil.which("gunicorn", path=str(BIN)):
        raise Skip("locust or gunicorn missing from the venv (pip install -e '.[dev]')")
    workdir = Path(tempfile.mkdtemp(prefix="zhulian-load-"))
    sessions = _sign_in(context, USERS)
    sessions_file = workdir / "sessions.tsv"
    sessions_file.write_text("".join(f"{u}\t{s}\n" for u, s in sessions.items()))
    server = _Server(workdir, GUNICORN_WORKERS)
    mine = sessions["worker"]
    _warm_up(server, mine)
    ours = _locust("SocialWorker", server, sessions_file, workdir)
    ref = _locust("Reference", server, sessions_file, workdir)
    rows = _rows(ours, ref)
    print(runner.table(rows), flush=True)

    def worklist() -> Any:
        status, body = get(server.url + "/cases/worklist/", mine)
        if status != 200:
            raise RuntimeError(f"worklist answered {status}")
        return body

    return Case(
        ours=worklist,
        references=[("GET /healthz", lambda: get(server.url + "/healthz"))],
        note="queries run in gunicorn, not counted here; under load: "
        + "; ".join([rows[0].scenario, f"p50 {ours.p50:.0f} vs {ref.p50:.0f} ms", *rows[0].notes]),
        repeat=10,
    )
