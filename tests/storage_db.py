"""Database URLs for the storage tests: a fresh SQLite file, or a fresh schema on the test PostgreSQL.

PostgreSQL comes from ``MIDLINE_TEST_PG_URL`` (``make pytest`` starts one with scripts/ci-services.sh).
Without it the PostgreSQL cases skip with a loud reason, or fail when ``CI=true``: a CI run must not
pass while testing only SQLite.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from midline.storage.engine import make_engine, resolve_url
from midline.storage.migrate import upgrade
from midline.storage.orm import Base

BACKENDS = ["sqlite", "postgresql"]
NO_PG = (
    "!!! MIDLINE_TEST_PG_URL is not set: the PostgreSQL storage tests did NOT run."
    " Run them with `make pytest` (starts a server with scripts/ci-services.sh) or export"
    ' MIDLINE_TEST_PG_URL="$(scripts/ci-services.sh)"'
)


def pg_admin_url() -> str:
    url = os.environ.get("MIDLINE_TEST_PG_URL")
    if not url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(NO_PG)
        pytest.skip(NO_PG)
    return url


def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database of ``backend``; a PostgreSQL schema is dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'log.db'}"
        return
    admin = create_engine(resolve_url(pg_admin_url()), isolation_level="AUTOCOMMIT")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        base = resolve_url(pg_admin_url())
        yield base.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


class MigratedDatabases:
    """Empty databases at the newest schema, fast: migrate once per run, then copy (SQLite) or
    delete every row (PostgreSQL) for each test. Tests of the migrations themselves use
    :func:`database_url` instead."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.templates: dict[str, str] = {}
        self._schemas: list[Iterator[str]] = []

    def _template(self, backend: str) -> str:
        if backend not in self.templates:
            if backend == "sqlite":
                url = f"sqlite:///{self.root / 'template.db'}"
            else:
                schema = database_url(backend, self.root)
                url = next(schema)
                self._schemas.append(schema)
            engine = make_engine(resolve_url(url))
            upgrade(engine)
            engine.dispose()  # SQLite: the last connection closing checkpoints the WAL into the file
            self.templates[backend] = url
        return self.templates[backend]

    def url(self, backend: str, tmp_path: Path) -> str:
        template = self._template(backend)
        if backend == "sqlite":
            shutil.copyfile(self.root / "template.db", tmp_path / "log.db")
            return f"sqlite:///{tmp_path / 'log.db'}"
        engine = make_engine(resolve_url(template))
        with engine.begin() as conn:  # DELETE: faster than TRUNCATE on a handful of rows
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
        engine.dispose()
        return template

    def close(self) -> None:
        for schema in self._schemas:
            schema.close()
