"""Storage of the training log: SQLAlchemy models, Alembic migrations run on start, repositories.

``open_repository(db)`` is the one call the CLI and the web app make: it resolves the URL (``--db``,
``$MIDLINE_DB`` or the SQLite file in the user data dir), upgrades the schema in place and returns a
:class:`midline.log.repository.LogRepository`.
"""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from midline.storage.engine import StorageError, make_engine, resolve_url, shown
from midline.storage.migrate import upgrade
from midline.storage.repository import MissingReferenceError, NotAnInstructorError, SqlRepository

__all__ = [
    "MissingReferenceError",
    "NotAnInstructorError",
    "SqlRepository",
    "StorageError",
    "open_repository",
]


def open_repository(db: str | None = None) -> SqlRepository:
    """The repository on the database ``db`` names, migrated to the newest schema."""
    url = resolve_url(db)
    engine = make_engine(url)
    try:
        upgrade(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or ["unknown error"])[0]
        raise StorageError(
            f"cannot open the database {shown(url)}: {reason}. Check --db / $MIDLINE_DB"
            " (and that the server is running)"
        ) from None
    except OSError as exc:
        engine.dispose()
        raise StorageError(f"cannot open the database {shown(url)}: {exc}") from None
    return SqlRepository(engine)
