"""Backups: ``pg_dump``/``pg_restore`` on PostgreSQL, the SQLite online backup API on SQLite.

A PostgreSQL URL whose ``options`` set a ``search_path`` (one schema per deployment or
test) is dumped as that schema only. Restore into an empty database: the dump brings its
own schema, tables, triggers and the Alembic version.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import unquote

from sqlalchemy.engine import URL, make_url

from kraan.store.db import normalise_url


class BackupError(RuntimeError):
    """The backup or restore tool failed; the message says why."""


def _conninfo(url: URL) -> tuple[list[str], dict[str, str], str | None]:
    """pg_dump arguments for the connection, its environment, and the schema of the URL."""
    args = []
    for flag, value in (
        ("--host", url.host),
        ("--port", url.port),
        ("--username", url.username),
        ("--dbname", url.database),
    ):
        if value:
            args += [flag, str(value)]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    options = unquote(str(url.query.get("options", "")))
    found = re.search(r"search_path\s*=\s*([A-Za-z0-9_]+)", options)
    return args, env, found.group(1) if found else None


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed; install the PostgreSQL client tools")
    return path


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(done.stderr.strip() or f"{command[0]} failed ({done.returncode})")


def backup(database_url: str, target: Path) -> Path:
    """Write a backup of the database to ``target``."""
    url = make_url(normalise_url(database_url))
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(url.database or ":memory:")
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return target
    args, env, schema = _conninfo(url)
    command = [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", *args]
    if schema:
        command += ["--schema", schema]
    _run([*command, "--file", str(target)], env)
    return target


def restore(database_url: str, source: Path) -> None:
    """Load a backup into the (empty) database of ``database_url``."""
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    url = make_url(normalise_url(database_url))
    if url.get_backend_name() == "sqlite":
        if not url.database:
            raise BackupError("restore needs a SQLite file, not an in-memory database")
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        backup_db = sqlite3.connect(source)
        target = sqlite3.connect(url.database)
        try:
            backup_db.backup(target)
        finally:
            target.close()
            backup_db.close()
        return
    args, env, _ = _conninfo(url)
    command = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
    _run([*command, "--single-transaction", *args, str(source)], env)
