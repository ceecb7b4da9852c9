"""Backup and restore of the whole installation: the database and the uploaded files.

A backup is one `.tar` file holding `manifest.json` (format, engine, time, the applied migrations,
each table's row count), the database (`db.sqlite3` made with SQLite's online backup API, or
`db.pgdump` from `pg_dump --format=custom`) and `media/` (imports, error files, images). Both
database copies are consistent while the server keeps running: the SQLite backup API copies a
snapshot page by page, and pg_dump reads in one repeatable-read transaction.

Restore puts the database back (SQLite: the backup API in reverse into the live file; PostgreSQL:
`pg_restore --clean --if-exists` into the configured database) and replaces the media directory,
then checks every table's row count against the manifest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

FORMAT = 1


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class RestoreReport:
    tables: int
    rows: int
    mismatched: dict[str, tuple[int, int]]  # table -> (in the manifest, after restore)


def table_counts() -> dict[str, int]:
    """Row count of every table Django knows, plus the migration ledger."""
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.django_table_names(include_views=False)):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from introspection
            counts[table] = cursor.fetchone()[0]
    return counts


def table_checksums() -> dict[str, str]:
    """A SHA-256 of every table's rows in primary-key order: equal before a backup and after its
    restore. Reads every row, so it is for tests and `--verify`, not for every backup."""
    sums: dict[str, str] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.django_table_names(include_views=False)):
            digest = hashlib.sha256()
            cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')  # noqa: S608
            while rows := cursor.fetchmany(2000):
                for row in rows:
                    digest.update(repr(tuple(_canonical(v) for v in row)).encode())
            sums[table] = digest.hexdigest()
    return sums


def _canonical(value: Any) -> Any:
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return value


def _migrations() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [(app, name) for app, name in cursor.fetchall()]


def _engine() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


def _pg_run(tool: str, *args: str) -> None:
    """Run pg_dump / pg_restore against the configured database (the test database in tests)."""
    db = connection.settings_dict
    program = shutil.which(tool)
    if program is None:
        raise BackupError(f"{tool} is not installed (apt install postgresql-client)")
    server = ["--host", str(db.get("HOST") or "127.0.0.1"), "--port", str(db.get("PORT") or 5432)]
    server += ["--username", str(db.get("USER") or "postgres")]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    # The arguments come from settings and our own temporary paths, never from a request.
    run = subprocess.run(  # noqa: S603
        [program, *server, *args], env=env, capture_output=True, text=True
    )
    if run.returncode:
        raise BackupError(f"{tool} failed: {run.stderr.strip()}")


def _dump_database(target: Path) -> str:
    if _engine() == "sqlite":
        name = "db.sqlite3"
        source = connection.connection if connection.connection else None
        if source is None:
            connection.ensure_connection()
            source = connection.connection
        copy = sqlite3.connect(target / name)
        try:
            source.backup(copy)
        finally:
            copy.close()
        return name
    name = "db.pgdump"
    db = connection.settings_dict["NAME"]
    _pg_run("pg_dump", "--format=custom", "--no-owner", "--file", str(target / name), db)
    return name


def backup_create(output: Path) -> dict[str, Any]:
    """Write a backup to `output` (a .tar file) and return its manifest."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "engine": _engine(),
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "migrations": _migrations(),
        "counts": table_counts(),
    }
    with tempfile.TemporaryDirectory(dir=output.parent) as tmp:
        work = Path(tmp)
        manifest["database"] = _dump_database(work)
        (work / "manifest.json").write_text(json.dumps(manifest, indent=1))
        partial = output.with_suffix(output.suffix + ".partial")
        with tarfile.open(partial, "w") as tar:
            tar.add(work / "manifest.json", arcname="manifest.json")
            tar.add(work / manifest["database"], arcname=manifest["database"])
            media = Path(settings.MEDIA_ROOT)
            if media.is_dir():
                tar.add(media, arcname="media")
        partial.replace(output)  # a crash mid-way leaves no file that looks like a backup
    return manifest


def _read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.extractfile("manifest.json")
    except KeyError:
        member = None
    if member is None:
        raise BackupError("not a Tradewind backup: manifest.json is missing")
    manifest = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unsupported backup format {manifest.get('format')!r}")
    return manifest


def backup_restore(source: Path) -> RestoreReport:
    """Restore a backup made by backup_create on the same engine; see the module docstring."""
    with tarfile.open(Path(source)) as tar:
        manifest = _read_manifest(tar)
        if manifest["engine"] != _engine():
            raise BackupError(
                f"this backup is of a {manifest['engine']} database; the configured one is "
                f"{_engine()}"
            )
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            tar.extractall(work, filter="data")
            _restore_database(work / manifest["database"])
            _restore_media(work / "media")
    after = table_counts()
    expected: dict[str, int] = manifest["counts"]
    mismatched = {
        table: (count, after.get(table, -1))
        for table, count in expected.items()
        if after.get(table, -1) != count
    }
    return RestoreReport(tables=len(expected), rows=sum(expected.values()), mismatched=mismatched)


def _restore_database(path: Path) -> None:
    if _engine() == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    connection.close()  # pg_restore drops the tables: hold no locks on them
    db = connection.settings_dict["NAME"]
    _pg_run(
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--dbname",
        db,
        str(path),
    )


def _restore_media(extracted: Path) -> None:
    media = Path(settings.MEDIA_ROOT)
    if media.exists():
        shutil.rmtree(media)
    if extracted.is_dir():
        shutil.copytree(extracted, media)
    else:
        media.mkdir(parents=True, exist_ok=True)
