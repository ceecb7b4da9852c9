"""A migrated database built once and copied, instead of running every migration again.

Running the ~100 migrations takes one to several minutes of CPU (most of it Django rendering model
states), and the suite used to pay it once per xdist worker and once more in every test that starts
`tradewind` subprocesses on a fresh database. The template is built by a real
`tradewind migrate` in a subprocess — the same path as production, so triggers, FTS tables and
extensions are there — and kept per engine, keyed by a hash of every migration file:

- SQLite: a file under var/test-cache/, copied with SQLite's backup API;
- PostgreSQL: a database `tw_tmpl_<hash>` on the test server, used as `CREATE DATABASE … TEMPLATE`.

A lock (a file lock; on PostgreSQL an advisory lock, as other checkouts share the server) makes the
xdist workers build it once. Old SQLite templates are deleted; old PostgreSQL ones are left, since
another checkout may still be copying one.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "var" / "test-cache"
TEMPLATE_LOCK = 7_351_002  # pg_advisory_lock key for building a template


def migrations_hash() -> str:
    digest = hashlib.sha256(django.get_version().encode())
    for path in sorted((ROOT / "src" / "tradewind").glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@contextmanager
def _locked(name: str) -> Iterator[None]:
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTEST_VERSION")}
    env.update(TRADEWIND_TESTING="1", DJANGO_SETTINGS_MODULE="tradewind.config.settings", **extra)
    return env


def _migrate(env: dict[str, str]) -> None:
    done = subprocess.run(  # fixed argv
        [sys.executable, "-m", "tradewind", "migrate", "--noinput", "-v0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if done.returncode != 0:
        raise RuntimeError(f"building the migrated template failed:\n{done.stderr[-3000:]}")


def sqlite_template() -> Path:
    """The path of a migrated SQLite file (built on first use)."""
    target = CACHE / f"migrated-{migrations_hash()}.sqlite3"
    with _locked("sqlite"):
        if target.exists():
            return target
        for stale in CACHE.glob("migrated-*.sqlite3"):
            stale.unlink()
        with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
            _migrate(_env(TRADEWIND_DATA_DIR=tmp))
            partial = Path(tmp) / "copy.sqlite3"
            source, dest = (
                sqlite3.connect(Path(tmp) / "tradewind.sqlite3"),
                sqlite3.connect(partial),
            )
            try:
                source.backup(dest)
                dest.execute("PRAGMA journal_mode=DELETE")
            finally:
                source.close()
                dest.close()
            shutil.move(partial, target)
    return target


def sqlite_copy(dest: Path) -> Path:
    """Write a migrated database file at `dest` (e.g. a subprocess test's data dir)."""
    source, target = sqlite3.connect(sqlite_template()), sqlite3.connect(dest)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return dest


def sqlite_load_into(connection) -> None:  # type: ignore[no-untyped-def]
    """Replace the contents of Django's (in-memory) SQLite test database with the template's."""
    connection.ensure_connection()
    source = sqlite3.connect(sqlite_template())
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _server(settings: dict) -> dict[str, str]:
    return {
        "host": settings.get("HOST") or "127.0.0.1",
        "port": str(settings.get("PORT") or 5432),
        "user": settings.get("USER") or "postgres",
        "password": settings.get("PASSWORD") or "",
    }


def postgres_template(settings: dict) -> str:
    """The name of a migrated PostgreSQL database on the server of `settings` (a Django
    DATABASES entry), usable as a CREATE DATABASE template."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    server = _server(settings)
    name = f"tw_tmpl_{migrations_hash()}"
    admin_dsn = make_conninfo(dbname="postgres", **{k: v for k, v in server.items() if v})
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        # A server-wide lock: other checkouts (other hashes) may build theirs at the same time.
        admin.execute("SELECT pg_advisory_lock(%s)", (TEMPLATE_LOCK,))
        names = [r[0] for r in admin.execute("SELECT datname FROM pg_database").fetchall()]
        if name in names:
            return name
        building = f"{name}_building"
        admin.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{building}" TEMPLATE template0')
        url = "postgres://{user}{pw}@{host}:{port}/{db}".format(
            pw=f":{server['password']}" if server["password"] else "", db=building, **server
        )
        try:
            _migrate(_env(DATABASE_URL=url))
        except BaseException:
            admin.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
            raise
        admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    return name


def postgres_create(settings: dict, name: str) -> None:
    """Create database `name` as a copy of the migrated template (a subprocess test's database)."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    template = postgres_template(settings)
    server = _server(settings)
    admin_dsn = make_conninfo(dbname="postgres", **{k: v for k, v in server.items() if v})
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
