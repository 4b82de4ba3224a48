"""Database URLs for the storage tests: a fresh SQLite file, or a fresh schema on the test PostgreSQL.

PostgreSQL comes from ``MIDLINE_TEST_PG_URL`` (``make pytest`` starts one with scripts/ci-services.sh).
Without it the PostgreSQL cases skip with a loud reason, or fail when ``CI=true``: a CI run must not
pass while testing only SQLite.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from midline.storage.engine import resolve_url

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
