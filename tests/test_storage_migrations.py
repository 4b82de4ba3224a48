"""An old database upgrades in place: a log written under the first schema (0001) reads back whole
after every later migration, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from midline.log.records import AnalysisRecord, SessionRecord, SetRecord
from midline.storage import open_repository
from midline.storage.engine import make_engine, resolve_url
from midline.storage.migrate import current, head, upgrade
from storage_db import BACKENDS, database_url

T0 = dt.datetime(2026, 11, 2, 7, 15, tzinfo=dt.UTC)


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database_url(request.param, tmp_path)


def _write_under_0001(url: str) -> None:
    """The rows a user of the first release had: raw SQL, the models of today know a later schema."""
    engine = make_engine(resolve_url(url))
    upgrade(engine, "0001")
    assert current(engine) == "0001"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, username, display_name, password_hash, role, created_at)"
                " VALUES (1, 'local', 'Me', NULL, 'client', :t), (2, 'coach', 'Coach', 'h', 'instructor', :t)"
            ),
            {"t": T0},
        )
        conn.execute(
            text("INSERT INTO instructor_grants (client_id, instructor_id, granted_at) VALUES (1, 2, :t)"),
            {"t": T0},
        )
        conn.execute(
            text(
                "INSERT INTO profiles (id, uid, user_id, name, data, created_at)"
                " VALUES (1, 'p-1', 1, 'mine', '{\"level\": \"beginner\"}', :t)"
            ),
            {"t": T0},
        )
        conn.execute(
            text(
                "INSERT INTO plans (id, uid, user_id, profile_id, name, start_date, data, created_at)"
                " VALUES (1, 'plan-1', 1, 1, '4 weeks', :d, '{\"weeks\": []}', :t)"
            ),
            {"t": T0, "d": dt.date(2026, 11, 2)},
        )
        conn.execute(
            text(
                "INSERT INTO performed_sessions (id, uid, user_id, date, notes, plan_id, created_at)"
                " VALUES (1, 's-1', 1, :d, 'first day', 1, :t)"
            ),
            {"t": T0, "d": dt.date(2026, 11, 2)},
        )
        conn.execute(
            text(
                "INSERT INTO sets (user_id, session_id, ordinal, exercise, set_number, side, reps, prop,"
                " placement, position, tempo, rpe, pain, notes) VALUES (1, 1, :ordinal, 'side-lying-lift',"
                " 1, :side, :reps, 'none', 'none', 'parallel', '1.5-1-2.5', :rpe, :pain, :notes)"
            ),
            [
                {"ordinal": 0, "side": "left", "reps": 10, "rpe": 6, "pain": 0, "notes": ""},
                {"ordinal": 1, "side": "right", "reps": 8, "rpe": 7, "pain": 2, "notes": "hip"},
            ],
        )
    engine.dispose()


def test_a_first_release_database_upgrades_to_head_with_nothing_lost(url: str) -> None:
    _write_under_0001(url)
    repo = open_repository(url)  # upgrades on open
    try:
        assert current(repo.engine) == head() != "0001"
        me = repo.local_user()
        assert me.id == 1 and me.created_at == T0
        (session,) = repo.sessions(me.id)
        assert session == SessionRecord(
            date=dt.date(2026, 11, 2),
            sets=(
                SetRecord(
                    "side-lying-lift", 1, "left", 10, "none", "none", "parallel", "1.5-1-2.5", 6, 0, ""
                ),
                SetRecord(
                    "side-lying-lift", 1, "right", 8, "none", "none", "parallel", "1.5-1-2.5", 7, 2, "hip"
                ),
            ),
            notes="first day",
            plan_uid="plan-1",
            plan_week=None,  # added by 0002: old sessions are not tied to a planned session
            plan_session=None,
            uid="s-1",
            created_at=T0,
        )
        (plan,) = repo.plans(me.id)
        assert (plan.profile_uid, plan.start_date, plan.data) == ("p-1", dt.date(2026, 11, 2), {"weeks": []})
        assert repo.profiles(me.id)[0].data == {"level": "beginner"}
        assert repo.may_view(2, 1)
        # what 0002 added works on the upgraded database
        analysis = AnalysisRecord("seated-squeeze", {"summary": {}}, {}, {}, "0.1.0", "0.1.0", "s-1")
        repo.add_analysis(me.id, analysis, b"x")
        assert repo.analyses(me.id) == [analysis] and repo.analysis_landmarks(me.id, analysis.uid) == b"x"
    finally:
        repo.engine.dispose()
