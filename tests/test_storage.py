"""The SQL repositories on SQLite and PostgreSQL: what is stored comes back, owners are kept apart,
deleting an account deletes everything it owns, and the schema the migrations make is the models'."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from midline.catalog import load_catalog
from midline.log.entry import SetInput
from midline.log.landmarks import pack_landmarks, unpack_landmarks
from midline.log.records import AnalysisRecord, PlanRecord, ProfileRecord, SessionRecord, SetRecord
from midline.log.service import (
    export_user,
    import_bundle,
    log_sets,
    mark_planned_done,
    store_analysis,
    store_plan,
)
from midline.log.transfer import parse_document
from midline.planner import build_plan, make_profile
from midline.storage import (
    MissingReferenceError,
    NotAnInstructorError,
    SqlRepository,
    StorageError,
    open_repository,
    orm,
)
from midline.storage.engine import default_path, resolve_url
from midline.storage.migrate import current, head
from storage_db import BACKENDS, MigratedDatabases, database_url

T0 = dt.datetime(2026, 11, 20, 18, 30, 5, tzinfo=dt.UTC)
SQUEEZE = SetRecord(
    "seated-squeeze", 1, "both", 12, "ball", "above-knees", "parallel", "2-2-3", rpe=6, pain=0, notes="easy"
)
LIFT_LEFT = SetRecord("side-lying-lift", 1, "left", 10, "none", "none", "parallel", "1.5-1-2.5", pain=3)
LIFT_RIGHT = SetRecord("side-lying-lift", 1, "right", 9, "none", "none", "parallel", None, rpe=8)
REPORT = {"exercise": "seated-squeeze", "summary": {"rep_count": 8, "ankle_gap_at_squeeze": 0.0412}}
LANDMARKS = {"format": "midline-landmarks", "fps": 25.0, "frames": [[0.1, 0.2, 0.3]] * 50}


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MigratedDatabases]:
    dbs = MigratedDatabases(tmp_path_factory.mktemp("templates"))
    yield dbs
    dbs.close()


@pytest.fixture
def url(backend: str, tmp_path: Path, databases: MigratedDatabases) -> str:
    """An empty database at the newest schema."""
    return databases.url(backend, tmp_path)


@pytest.fixture
def repo(url: str) -> Iterator[SqlRepository]:
    r = open_repository(url)
    yield r
    r.engine.dispose()


def _everything(repo: SqlRepository, owner: int) -> str:
    """Store one of each record for ``owner``; the uid of the analysis."""
    profile = repo.add_profile(owner, ProfileRecord("mine", {"level": "beginner", "days": 3}, created_at=T0))
    plan = repo.add_plan(
        owner, PlanRecord("4 weeks", {"weeks": []}, profile.uid, dt.date(2026, 11, 23), created_at=T0)
    )
    session = repo.save_session(
        owner,
        SessionRecord(dt.date(2026, 11, 23), (SQUEEZE, LIFT_LEFT), "", plan.uid, 1, 1, created_at=T0),
    )
    analysis = AnalysisRecord(
        "seated-squeeze",
        REPORT,
        {"rep_count": 8.0},
        {"report": "/v/report.json"},
        "0.1.0",
        "0.1.0",
        session.uid,
        created_at=T0,
    )
    repo.add_analysis(owner, analysis, pack_landmarks(LANDMARKS))
    return analysis.uid


def test_a_session_with_its_sets_comes_back_as_stored(repo: SqlRepository) -> None:
    me = repo.local_user()
    stored = SessionRecord(
        dt.date(2026, 11, 20), (SQUEEZE, LIFT_LEFT, LIFT_RIGHT), "felt good", created_at=T0
    )
    repo.save_session(me.id, stored)
    assert repo.sessions(me.id) == [stored]
    assert repo.session(me.id, stored.uid) == stored
    assert repo.sessions(me.id, since=dt.date(2026, 11, 21)) == []


def test_saving_a_session_again_replaces_its_sets(repo: SqlRepository) -> None:
    me = repo.local_user()
    first = SessionRecord(dt.date(2026, 11, 20), (SQUEEZE,), created_at=T0)
    repo.save_session(me.id, first)
    second = SessionRecord(first.date, (SQUEEZE, LIFT_LEFT, LIFT_RIGHT), "more", uid=first.uid, created_at=T0)
    repo.save_session(me.id, second)
    assert repo.sessions(me.id) == [second]


def test_the_local_user_is_created_once(repo: SqlRepository) -> None:
    first = repo.local_user()
    assert repo.local_user() == first
    assert (first.username, first.role, first.password_hash) == ("local", "client", None)


def test_an_owner_never_sees_or_deletes_another_owners_rows(repo: SqlRepository) -> None:
    ann = repo.create_user("ann", "Ann")
    bob = repo.create_user("bob", "Bob")
    analysis_uid = _everything(repo, ann.id)
    session_uid = repo.sessions(ann.id)[0].uid
    assert repo.sessions(bob.id) == []
    assert repo.session(bob.id, session_uid) is None
    assert repo.profiles(bob.id) == [] and repo.plans(bob.id) == []
    assert repo.analyses(bob.id) == [] and repo.analysis(bob.id, analysis_uid) is None
    assert repo.analysis_landmarks(bob.id, analysis_uid) is None
    assert not repo.delete_session(bob.id, session_uid)
    assert not repo.delete_analysis(bob.id, analysis_uid)
    assert len(repo.sessions(ann.id)) == 1 and len(repo.analyses(ann.id)) == 1
    with pytest.raises(MissingReferenceError):  # bob cannot tie his session to ann's plan
        repo.save_session(bob.id, SessionRecord(dt.date(2026, 11, 24), plan_uid=repo.plans(ann.id)[0].uid))


def test_deleting_an_account_deletes_everything_it_owns_and_nothing_else(repo: SqlRepository) -> None:
    ann = repo.create_user("ann", "Ann")
    coach = repo.create_user("coach", "Coach", role="instructor")
    _everything(repo, ann.id)
    _everything(repo, coach.id)
    repo.grant(ann.id, coach.id)
    assert repo.delete_user(ann.id)
    owned = [orm.Profile, orm.Plan, orm.PerformedSession, orm.SetRow, orm.Analysis, orm.AnalysisLandmarks]
    with repo.engine.connect() as conn:
        for model in owned:
            counts = dict(
                conn.execute(select(model.user_id, func.count()).group_by(model.user_id)).tuples().all()
            )
            assert ann.id not in counts and counts[coach.id] > 0, model.__tablename__
        assert conn.scalar(select(func.count()).select_from(orm.InstructorGrant)) == 0


def test_deleting_a_video_analysis_deletes_its_landmarks(repo: SqlRepository) -> None:
    me = repo.local_user()
    uid = _everything(repo, me.id)
    assert repo.delete_analysis(me.id, uid)
    assert repo.analyses(me.id) == [] and repo.analysis_landmarks(me.id, uid) is None
    with repo.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(orm.AnalysisLandmarks)) == 0
    assert len(repo.sessions(me.id)) == 1  # the session it was tied to stays


def test_an_analysis_keeps_report_metrics_files_version_and_landmarks(repo: SqlRepository) -> None:
    me = repo.local_user()
    uid = _everything(repo, me.id)
    (stored,) = repo.analyses(me.id, exercise="seated-squeeze")
    assert stored.uid == uid and stored.report == REPORT and stored.metrics == {"rep_count": 8.0}
    assert stored.files == {"report": "/v/report.json"} and stored.created_at == T0
    assert stored.session_uid == repo.sessions(me.id)[0].uid
    blob = repo.analysis_landmarks(me.id, uid)
    assert blob is not None and unpack_landmarks(blob) == LANDMARKS
    assert repo.analyses(me.id, exercise="side-lying-lift") == []


def test_instructors_see_clients_only_while_the_grant_stands(repo: SqlRepository) -> None:
    ann = repo.create_user("ann", "Ann")
    bob = repo.create_user("bob", "Bob")
    coach = repo.create_user("coach", "Coach", role="instructor", password_hash="argon2$x")
    assert not repo.may_view(coach.id, ann.id)
    repo.grant(ann.id, coach.id)
    assert [u.username for u in repo.clients_of(coach.id)] == ["ann"]
    assert repo.may_view(coach.id, ann.id) and not repo.may_view(coach.id, bob.id)
    assert not repo.may_view(ann.id, coach.id)  # a grant is one way
    assert repo.revoke(ann.id, coach.id) and not repo.revoke(ann.id, coach.id)
    assert repo.clients_of(coach.id) == [] and not repo.may_view(coach.id, ann.id)
    repo.grant(ann.id, coach.id)  # granted again after a revoke
    assert repo.may_view(coach.id, ann.id)
    with pytest.raises(NotAnInstructorError, match="not an instructor"):
        repo.grant(ann.id, bob.id)


def test_the_database_refuses_values_outside_the_scales(repo: SqlRepository) -> None:
    me = repo.local_user()
    for bad in (
        SetRecord("seated-squeeze", 1, "both", 10, "ball", "above-knees", "parallel", pain=11),
        SetRecord("seated-squeeze", 1, "both", 10, "ball", "above-knees", "parallel", rpe=0),
        SetRecord("seated-squeeze", 1, "top", 10, "ball", "above-knees", "parallel"),  # type: ignore[arg-type]
    ):
        with pytest.raises(IntegrityError):
            repo.save_session(me.id, SessionRecord(dt.date(2026, 11, 20), (bad,)))
    assert repo.sessions(me.id) == []


def test_the_migrated_schema_is_exactly_the_models(repo: SqlRepository) -> None:
    assert current(repo.engine) == head()
    with repo.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), orm.Base.metadata)
    assert diff == []


def test_opening_again_does_not_migrate_or_lose_anything(url: str) -> None:
    first = open_repository(url)
    me = first.local_user()
    first.save_session(me.id, SessionRecord(dt.date(2026, 11, 20), (SQUEEZE,), created_at=T0))
    first.engine.dispose()
    again = open_repository(url)
    assert [s.sets for s in again.sessions(again.local_user().id)] == [(SQUEEZE,)]
    again.engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    repo = open_repository(str(tmp_path / "log.db"))  # a plain path is a SQLite file
    with repo.engine.connect() as conn:
        assert conn.scalar(text("PRAGMA journal_mode")) == "wal"
        assert conn.scalar(text("PRAGMA foreign_keys")) == 1
    repo.engine.dispose()


def test_an_unreachable_server_is_a_message_not_a_traceback() -> None:
    with pytest.raises(StorageError, match=r"cannot open the database postgresql\+psycopg://ann:\*\*\*@127"):
        open_repository("postgresql://ann:secret@127.0.0.1:9/midline?connect_timeout=2")
    with pytest.raises(StorageError, match="SQLite or PostgreSQL"):
        open_repository("mysql://localhost/midline")


def test_export_import_into_a_fresh_database_and_export_again_is_identical(
    repo: SqlRepository, backend: str, tmp_path: Path
) -> None:
    me = repo.local_user()
    _everything(repo, me.id)
    plan = build_plan(make_profile(props="ring,ball", weeks=1))
    stored = store_plan(repo, me.id, plan.to_dict())
    mark_planned_done(repo, me.id, stored, 1, 2, dt.date(2026, 11, 25), rpe=6, pain=1, notes="knees ok")
    log_sets(repo, me.id, load_catalog(), SetInput("clamshell", 2, 15, pain=0), dt.date(2026, 11, 26))
    store_analysis(repo, me.id, REPORT, {"html": "/v/report.html"}, LANDMARKS)
    first = json.dumps(export_user(repo, me), ensure_ascii=False)

    (tmp_path / "fresh").mkdir()
    fresh_url = database_url(backend, tmp_path / "fresh")
    fresh = open_repository(next(fresh_url))
    try:
        counts = import_bundle(fresh, fresh.local_user().id, parse_document(json.loads(first)))
        assert counts.added == {"profiles": 1, "plans": 2, "sessions": 3, "analyses": 2}
        assert json.dumps(export_user(fresh, fresh.local_user()), ensure_ascii=False) == first
        again = import_bundle(fresh, fresh.local_user().id, parse_document(json.loads(first)))
        assert sum(again.added.values()) == 0 and sum(again.skipped.values()) == 8
    finally:
        fresh.engine.dispose()
        fresh_url.close()


def test_the_database_is_the_flag_then_the_environment_then_the_user_data_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("MIDLINE_DB", raising=False)
    assert resolve_url(None).database == str(default_path())
    assert default_path().name == "midline.db" and "midline" in default_path().parent.parts[-1]
    monkeypatch.setenv("MIDLINE_DB", "postgresql://ann@db.example/midline")
    assert resolve_url(None).render_as_string() == "postgresql+psycopg://ann@db.example/midline"
    assert resolve_url(str(tmp_path / "x.db")).database == str(tmp_path / "x.db")
