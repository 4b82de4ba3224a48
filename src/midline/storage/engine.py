"""Where the log lives: a SQLite file in the user data dir by default, PostgreSQL by URL.

``--db`` / ``MIDLINE_DB`` take a SQLAlchemy URL (``sqlite:///path``, ``postgresql://user@host/db``)
or a plain file path (a SQLite file). SQLite runs in WAL mode (readers do not block the writer) with
foreign keys enforced, so ON DELETE CASCADE works as on PostgreSQL.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from midline.errors import MidlineError

ENV_VAR = "MIDLINE_DB"


class StorageError(MidlineError):
    """The database cannot be opened, reached or upgraded; the message names it and what to check."""


def default_path() -> Path:
    return Path(user_data_dir("midline", appauthor=False)) / "midline.db"


def resolve_url(db: str | None = None) -> URL:
    """The URL to open: ``db``, else ``$MIDLINE_DB``, else the default SQLite file."""
    text = db or os.environ.get(ENV_VAR) or str(default_path())
    if "://" not in text:
        return URL.create("sqlite", database=str(Path(text).expanduser().resolve()))
    try:
        url = make_url(text)
    except ArgumentError:
        raise StorageError(f"not a database URL: {text!r} (e.g. postgresql://user@host/midline)") from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise StorageError(f"midline stores its log in SQLite or PostgreSQL, not {url.get_backend_name()}")
    return url


def shown(url: URL) -> str:
    """The URL for messages, password hidden."""
    return url.render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: URL) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created, its pragmas set on every connection."""
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)
