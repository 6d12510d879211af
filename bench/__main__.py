"""`python -m bench`: benchmark scenarios on a database of 100,000 demo households.

Environment:
  DJANGO_SETTINGS_MODULE  default config.settings.local
  BENCH_DATABASE_NAME     default zhulian_bench: a separate database on the same server as
                          DATABASE_URL (or the embedded server); created and migrated if missing
  BENCH_HOUSEHOLDS        default 100000: households seeded once (seed_demo --seed 1 --if-empty)
  BENCH_REPEAT            default 15: timed runs of each callable, after two warm-ups
  BENCH_MODULES           optional, comma-separated: only the scenarios of these modules of
                          bench/scenarios/ (e.g. households,cases)
  BENCH_ONLY              optional, comma-separated: only the scenarios whose name contains one
                          of these texts

The table goes to standard output and to bench/results/latest.md.
"""

from __future__ import annotations

import os
import sys
import time
from urllib.parse import quote


def _bench_database_url(name: str) -> tuple[str, dict[str, str]]:
    """The URL of database `name` on the configured server, and how to reach that server."""
    from config.services import database_config

    config = database_config(conn_max_age=0)
    user = quote(config.get("USER") or "", safe="")
    password = config.get("PASSWORD") or ""
    auth = f"{user}:{quote(password, safe='')}" if password else user
    host = quote(config.get("HOST") or "", safe="")
    port = f":{config['PORT']}" if config.get("PORT") else ""
    server = {
        key: str(config[field])
        for key, field in (("dbname", "NAME"), ("user", "USER"), ("password", "PASSWORD"),
                           ("host", "HOST"), ("port", "PORT"))
        if config.get(field)
    }  # fmt: skip
    return f"postgres://{auth}@{host}{port}/{quote(name, safe='')}", server


def _create_database(name: str, server: dict[str, str]) -> bool:
    """Create the bench database unless it exists; say whether it was created."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(**server, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    name = os.environ.get("BENCH_DATABASE_NAME", "zhulian_bench")
    households = int(os.environ.get("BENCH_HOUSEHOLDS", "100000"))
    repeat = int(os.environ.get("BENCH_REPEAT", "15"))
    url, server = _bench_database_url(name)
    created = _create_database(name, server)
    os.environ["DATABASE_URL"] = url

    import django

    django.setup()

    from django.core.management import call_command

    from bench import runner
    from bench.scenarios import load_all

    print(f"database {name}{' (created)' if created else ''}: migrating …", flush=True)
    call_command("migrate", verbosity=0)
    seeded = _seed(households)
    load_all()
    modules, texts = _listed("BENCH_MODULES"), _listed("BENCH_ONLY")
    runner.REGISTRY[:] = [s for s in runner.REGISTRY if s.selected(modules=modules, texts=texts)]
    revision = runner.git_revision()

    def save(rows: list[runner.Row]) -> None:
        # After every scenario, so a run stopped half-way still leaves its results.
        runner.write_results(rows, _header(name, seeded, repeat, revision))

    rows = runner.run_all(runner.Context(repeat=repeat), after_each=save)
    header = _header(name, seeded, repeat, revision)
    print()
    print("\n".join(header))
    print()
    print(runner.table(rows))
    print(f"\nwritten to {runner.write_results(rows, header)}")
    return 0


def _listed(variable: str) -> list[str]:
    return [item.strip() for item in os.environ.get(variable, "").split(",") if item.strip()]


def _seed(households: int) -> str:
    from django.core.management import call_command

    from households.models import Household

    if Household.objects.exists():
        return f"already seeded ({Household.objects.count()} households)"
    print(f"seeding {households} households (seed_demo --seed 1) …", flush=True)
    started = time.perf_counter()
    call_command("seed_demo", households=households, seed=1, if_empty=True)
    return f"seeded {households} households in {time.perf_counter() - started:.1f} s"


def _header(name: str, seeded: str, repeat: int, revision: str) -> list[str]:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone()
    return [
        f"- when: {time.strftime('%Y-%m-%d %H:%M:%S %z')}, commit {revision}",
        f"- database: {name} on PostgreSQL {version}, Django {django.get_version()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end",
        f"- data: {seeded}",
        f"- each callable: {runner_warmup()} warm-up runs, then {repeat} timed runs; "
        "medians in the table, p95 in the notes",
    ]


def runner_warmup() -> int:
    from bench.runner import WARM_UP

    return WARM_UP


if __name__ == "__main__":
    sys.exit(main())
