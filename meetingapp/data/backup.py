"""Backups of the whole database, and their restore.

* SQLite: SQLite's online backup API copies the database page by page into a new file while the
  app keeps running (readers and writers are not stopped); the file is an ordinary SQLite
  database. Restore copies it back the same way.
* PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot, taken while the app runs) and
  ``pg_restore`` in one transaction: a restore that fails changes nothing.

Restore refuses a database that holds any row unless told to replace it (``force``): it is
meant for a new, empty database (created, or after ``flask db upgrade``).
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess  # nosec B404
from pathlib import Path

from sqlalchemy import inspect, select
from sqlalchemy.engine import URL, Engine

from meetingapp.extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class DataError(Exception):
    """A refusal or a failure, said in one line to the operator."""


def model_tables(engine: Engine) -> list:
    """The app's tables that exist in ``engine``'s database, parents before children."""
    present = set(inspect(engine).get_table_names())
    return [t for t in db.metadata.sorted_tables if t.name in present]


def row_counts(engine: Engine) -> dict[str, int]:
    from sqlalchemy import func

    with engine.connect() as conn:
        return {
            t.name: conn.scalar(select(func.count()).select_from(t)) for t in model_tables(engine)
        }


def is_empty(engine: Engine) -> bool:
    """No row in any of the app's tables (an empty schema, or no schema at all)."""
    with engine.connect() as conn:
        return all(
            conn.execute(select(1).select_from(t).limit(1)).first() is None
            for t in model_tables(engine)
        )


def backend(engine: Engine) -> str:
    name = engine.url.get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise DataError(f"Backups of {name} databases are not supported (SQLite or PostgreSQL).")
    return name


def backup(engine: Engine, path: Path) -> int:
    """Write a backup of the database to ``path`` (replaced only once complete); its size."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    if backend(engine) == "sqlite":
        source = sqlite3.connect(_sqlite_file(engine.url))
        target = sqlite3.connect(partial)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        _run_pg_tool(
            "pg_dump",
            ["--format=custom", "--no-owner", "--no-privileges", "--file", str(partial)],
            engine.url,
        )
    partial.replace(path)
    return path.stat().st_size


def backup_kind(path: Path) -> str:
    """ "sqlite" or "postgresql", from the file's first bytes."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise DataError(f"No such backup file: {path}") from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise DataError(f"{path} is neither a SQLite backup nor a pg_dump custom-format archive.")


def restore(engine: Engine, path: Path, *, force: bool = False) -> dict[str, int]:
    """Replace the database's content with the backup's; the row counts afterwards."""
    path = Path(path)
    kind, target = backup_kind(path), backend(engine)
    if kind != target:
        raise DataError(
            f"{path} is a {kind} backup and the database is {target}: restore it into a "
            f"{kind} database, then use `flask data copy` to move it."
        )
    if not force and not is_empty(engine):
        raise DataError(
            "The database is not empty: restore into a new database, or pass --force to "
            "replace everything it holds with the backup."
        )
    engine.dispose()  # none of our connections holds the old content
    if kind == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            verdict = source.execute("PRAGMA quick_check").fetchone()[0]
            if verdict != "ok":
                raise DataError(f"{path} is damaged: {verdict}")
            target_db = sqlite3.connect(_sqlite_file(engine.url))
            try:
                source.backup(target_db)
            finally:
                target_db.close()
        finally:
            source.close()
    else:
        _run_pg_tool(
            "pg_restore",
            [
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                str(path),
            ],
            engine.url,
        )
    engine.dispose()
    return row_counts(engine)


def _sqlite_file(url: URL) -> str:
    if url.database in (None, "", ":memory:"):
        raise DataError("An in-memory SQLite database has nothing to back up or restore.")
    return url.database


def pg_tool(name: str) -> str:
    """The newest ``pg_dump``/``pg_restore`` installed (it must not be older than the server):
    ``$PG_BIN``, then Debian's /usr/lib/postgresql/<version>/bin, then the PATH."""
    if os.environ.get("PG_BIN"):
        candidate = Path(os.environ["PG_BIN"]) / name
        if candidate.exists():
            return str(candidate)
    versions = glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
    versions.sort(key=lambda p: int(Path(p).parent.parent.name.split(".")[0] or 0))
    found = versions[-1] if versions else shutil.which(name)
    if not found:
        raise DataError(f"{name} was not found: install PostgreSQL's client (postgresql-client).")
    return found


def _run_pg_tool(name: str, args: list[str], url: URL) -> None:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)  # not on the command line, where ps shows it
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    command = [pg_tool(name), *args, "--dbname", dsn]  # an argument list: no shell
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603
    if result.returncode != 0:
        raise DataError(f"{name} failed: {result.stderr.strip()[-2000:]}")
