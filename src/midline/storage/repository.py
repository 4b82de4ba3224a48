"""The SQLAlchemy implementation of :class:`midline.log.repository.LogRepository`.

Each method is one short transaction. Every query on owned rows filters on ``user_id``: a uid of
another owner reads as absent, and a delete of it deletes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, Delete, Engine, delete, select
from sqlalchemy.orm import Session, sessionmaker

from midline.errors import MidlineError
from midline.log.records import (
    LOCAL_USERNAME,
    AnalysisRecord,
    PlanRecord,
    ProfileRecord,
    Role,
    SessionRecord,
    SetRecord,
    Side,
    UserRecord,
    utc_now,
)
from midline.storage import orm

LANDMARKS_ENCODING = "zlib+json"


class NotAnInstructorError(MidlineError, ValueError):
    """A grant to a user who is not an instructor (or does not exist)."""


class MissingReferenceError(MidlineError):
    """A record refers (by uid) to a profile, plan or session its owner does not have."""


def _user(row: orm.User) -> UserRecord:
    return UserRecord(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=cast(Role, row.role),
        password_hash=row.password_hash,
        created_at=row.created_at,
    )


def _profile(row: orm.Profile) -> ProfileRecord:
    return ProfileRecord(name=row.name, data=row.data, uid=row.uid, created_at=row.created_at)


def _plan(row: orm.Plan) -> PlanRecord:
    return PlanRecord(
        name=row.name,
        data=row.data,
        profile_uid=row.profile.uid if row.profile else None,
        start_date=row.start_date,
        uid=row.uid,
        created_at=row.created_at,
    )


def _set(row: orm.SetRow) -> SetRecord:
    return SetRecord(
        exercise=row.exercise,
        set_number=row.set_number,
        side=cast(Side, row.side),
        reps=row.reps,
        prop=row.prop,
        placement=row.placement,
        position=row.position,
        tempo=row.tempo,
        rpe=row.rpe,
        pain=row.pain,
        notes=row.notes,
    )


def _session(row: orm.PerformedSession) -> SessionRecord:
    return SessionRecord(
        date=row.date,
        sets=tuple(_set(s) for s in row.sets),
        notes=row.notes,
        plan_uid=row.plan.uid if row.plan else None,
        plan_week=row.plan_week,
        plan_session=row.plan_session,
        uid=row.uid,
        created_at=row.created_at,
    )


def _analysis(row: orm.Analysis) -> AnalysisRecord:
    return AnalysisRecord(
        exercise=row.exercise,
        report=row.report,
        metrics={k: float(v) for k, v in row.metrics.items()},
        files={k: str(v) for k, v in row.files.items()},
        midline_version=row.midline_version,
        analysis_version=row.analysis_version,
        session_uid=row.session.uid if row.session else None,
        uid=row.uid,
        created_at=row.created_at,
    )


def _deleted(db: Session, statement: Delete) -> bool:
    """Run a DELETE; whether it deleted anything."""
    return cast(CursorResult[Any], db.execute(statement)).rowcount > 0


class SqlRepository:
    """Implements :class:`midline.log.repository.LogRepository` on a migrated database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    # --- users and access -------------------------------------------------------------------------

    def local_user(self) -> UserRecord:
        found = self.user(LOCAL_USERNAME)
        return found if found is not None else self.create_user(LOCAL_USERNAME, "Me")

    def user(self, username: str) -> UserRecord | None:
        with self._sessions() as db:
            row = db.scalar(select(orm.User).where(orm.User.username == username))
            return None if row is None else _user(row)

    def create_user(
        self, username: str, display_name: str, role: Role = "client", password_hash: str | None = None
    ) -> UserRecord:
        with self._sessions.begin() as db:
            row = orm.User(
                username=username,
                display_name=display_name,
                role=role,
                password_hash=password_hash,
                created_at=utc_now(),
            )
            db.add(row)
            db.flush()
            return _user(row)

    def delete_user(self, owner: int) -> bool:
        with self._sessions.begin() as db:
            return _deleted(db, delete(orm.User).where(orm.User.id == owner))

    def _grant(self, db: Session, client: int, instructor: int) -> orm.InstructorGrant | None:
        return db.scalar(
            select(orm.InstructorGrant).where(
                orm.InstructorGrant.client_id == client, orm.InstructorGrant.instructor_id == instructor
            )
        )

    def grant(self, client: int, instructor: int) -> None:
        with self._sessions.begin() as db:
            target = db.get(orm.User, instructor)
            if target is None or target.role != "instructor":
                raise NotAnInstructorError(
                    f"user {instructor} is not an instructor: only instructors get access"
                )
            row = self._grant(db, client, instructor)
            if row is None:
                db.add(orm.InstructorGrant(client_id=client, instructor_id=instructor, granted_at=utc_now()))
            else:
                row.granted_at, row.revoked_at = utc_now(), None

    def revoke(self, client: int, instructor: int) -> bool:
        with self._sessions.begin() as db:
            row = self._grant(db, client, instructor)
            if row is None or row.revoked_at is not None:
                return False
            row.revoked_at = utc_now()
            return True

    def clients_of(self, instructor: int) -> list[UserRecord]:
        with self._sessions() as db:
            rows = db.scalars(
                select(orm.User)
                .join(orm.InstructorGrant, orm.InstructorGrant.client_id == orm.User.id)
                .where(
                    orm.InstructorGrant.instructor_id == instructor,
                    orm.InstructorGrant.revoked_at.is_(None),
                )
                .order_by(orm.User.username)
            )
            return [_user(r) for r in rows]

    def may_view(self, viewer: int, owner: int) -> bool:
        if viewer == owner:
            return True
        with self._sessions() as db:
            row = self._grant(db, owner, viewer)
            return row is not None and row.revoked_at is None

    # --- profiles and plans -------------------------------------------------------------------------

    def _uid_id(
        self,
        db: Session,
        model: type[orm.Profile] | type[orm.Plan] | type[orm.PerformedSession],
        owner: int,
        uid: str | None,
    ) -> int | None:
        """The row id of the owner's row with this uid (another owner's uid reads as None)."""
        if uid is None:
            return None
        found = db.scalar(select(model.id).where(model.user_id == owner, model.uid == uid))
        if found is None:
            raise MissingReferenceError(f"no {model.__tablename__} row {uid} belongs to this user")
        return found

    def add_profile(self, owner: int, profile: ProfileRecord) -> ProfileRecord:
        with self._sessions.begin() as db:
            db.add(
                orm.Profile(
                    uid=profile.uid,
                    user_id=owner,
                    name=profile.name,
                    data=profile.data,
                    created_at=profile.created_at,
                )
            )
        return profile

    def profile(self, owner: int, uid: str) -> ProfileRecord | None:
        with self._sessions() as db:
            row = db.scalar(select(orm.Profile).where(orm.Profile.user_id == owner, orm.Profile.uid == uid))
            return None if row is None else _profile(row)

    def profiles(self, owner: int) -> list[ProfileRecord]:
        with self._sessions() as db:
            rows = db.scalars(
                select(orm.Profile)
                .where(orm.Profile.user_id == owner)
                .order_by(orm.Profile.created_at, orm.Profile.uid)
            )
            return [_profile(r) for r in rows]

    def add_plan(self, owner: int, plan: PlanRecord) -> PlanRecord:
        with self._sessions.begin() as db:
            db.add(
                orm.Plan(
                    uid=plan.uid,
                    user_id=owner,
                    profile_id=self._uid_id(db, orm.Profile, owner, plan.profile_uid),
                    name=plan.name,
                    start_date=plan.start_date,
                    data=plan.data,
                    created_at=plan.created_at,
                )
            )
        return plan

    def plan(self, owner: int, uid: str) -> PlanRecord | None:
        with self._sessions() as db:
            row = db.scalar(select(orm.Plan).where(orm.Plan.user_id == owner, orm.Plan.uid == uid))
            return None if row is None else _plan(row)

    def plans(self, owner: int) -> list[PlanRecord]:
        with self._sessions() as db:
            rows = db.scalars(
                select(orm.Plan).where(orm.Plan.user_id == owner).order_by(orm.Plan.created_at, orm.Plan.uid)
            )
            return [_plan(r) for r in rows]

    # --- performed sessions -------------------------------------------------------------------------

    def save_session(self, owner: int, session: SessionRecord) -> SessionRecord:
        with self._sessions.begin() as db:
            row = db.scalar(
                select(orm.PerformedSession).where(
                    orm.PerformedSession.user_id == owner, orm.PerformedSession.uid == session.uid
                )
            )
            if row is None:
                row = orm.PerformedSession(uid=session.uid, user_id=owner, created_at=session.created_at)
                db.add(row)
            row.date = session.date
            row.notes = session.notes
            row.plan_id = self._uid_id(db, orm.Plan, owner, session.plan_uid)
            row.plan_week = session.plan_week
            row.plan_session = session.plan_session
            row.sets = [
                orm.SetRow(
                    user_id=owner,
                    ordinal=i,
                    exercise=s.exercise,
                    set_number=s.set_number,
                    side=s.side,
                    reps=s.reps,
                    prop=s.prop,
                    placement=s.placement,
                    position=s.position,
                    tempo=s.tempo,
                    rpe=s.rpe,
                    pain=s.pain,
                    notes=s.notes,
                )
                for i, s in enumerate(session.sets)
            ]
        return session

    def session(self, owner: int, uid: str) -> SessionRecord | None:
        with self._sessions() as db:
            row = db.scalar(
                select(orm.PerformedSession).where(
                    orm.PerformedSession.user_id == owner, orm.PerformedSession.uid == uid
                )
            )
            return None if row is None else _session(row)

    def sessions(self, owner: int, since: dt.date | None = None) -> list[SessionRecord]:
        query = select(orm.PerformedSession).where(orm.PerformedSession.user_id == owner)
        if since is not None:
            query = query.where(orm.PerformedSession.date >= since)
        query = query.order_by(
            orm.PerformedSession.date, orm.PerformedSession.created_at, orm.PerformedSession.uid
        )
        with self._sessions() as db:
            return [_session(r) for r in db.scalars(query).unique()]

    def delete_session(self, owner: int, uid: str) -> bool:
        with self._sessions.begin() as db:
            return _deleted(
                db,
                delete(orm.PerformedSession).where(
                    orm.PerformedSession.user_id == owner, orm.PerformedSession.uid == uid
                ),
            )

    # --- video analyses -----------------------------------------------------------------------------

    def add_analysis(
        self, owner: int, analysis: AnalysisRecord, landmarks: bytes | None = None
    ) -> AnalysisRecord:
        with self._sessions.begin() as db:
            row = orm.Analysis(
                uid=analysis.uid,
                user_id=owner,
                session_id=self._uid_id(db, orm.PerformedSession, owner, analysis.session_uid),
                exercise=analysis.exercise,
                report=analysis.report,
                metrics=analysis.metrics,
                files=analysis.files,
                midline_version=analysis.midline_version,
                analysis_version=analysis.analysis_version,
                created_at=analysis.created_at,
            )
            db.add(row)
            db.flush()
            if landmarks is not None:
                db.add(
                    orm.AnalysisLandmarks(
                        analysis_id=row.id, user_id=owner, encoding=LANDMARKS_ENCODING, data=landmarks
                    )
                )
        return analysis

    def analysis(self, owner: int, uid: str) -> AnalysisRecord | None:
        with self._sessions() as db:
            row = db.scalar(
                select(orm.Analysis).where(orm.Analysis.user_id == owner, orm.Analysis.uid == uid)
            )
            return None if row is None else _analysis(row)

    def analyses(self, owner: int, exercise: str | None = None) -> list[AnalysisRecord]:
        query = select(orm.Analysis).where(orm.Analysis.user_id == owner)
        if exercise is not None:
            query = query.where(orm.Analysis.exercise == exercise)
        with self._sessions() as db:
            rows = db.scalars(query.order_by(orm.Analysis.created_at, orm.Analysis.uid))
            return [_analysis(r) for r in rows]

    def analysis_landmarks(self, owner: int, uid: str) -> bytes | None:
        with self._sessions() as db:
            return db.scalar(
                select(orm.AnalysisLandmarks.data)
                .join(orm.Analysis, orm.Analysis.id == orm.AnalysisLandmarks.analysis_id)
                .where(orm.AnalysisLandmarks.user_id == owner, orm.Analysis.uid == uid)
            )

    def delete_analysis(self, owner: int, uid: str) -> bool:
        with self._sessions.begin() as db:
            return _deleted(
                db,
                delete(orm.Analysis).where(orm.Analysis.user_id == owner, orm.Analysis.uid == uid),
            )
