"""SQLAlchemy 2 typed ORM models of the log. The migrations under ``migrations/`` create exactly these.

Every row a user owns has ``user_id`` with ON DELETE CASCADE, so deleting an account deletes
everything it owns; repositories filter every query on it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Times are stored in UTC and read back as aware UTC (SQLite keeps no zone, PostgreSQL converts)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a naive datetime cannot be stored: give it a time zone")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime(), dict[str, Any]: JSON()}


def _owner() -> Mapped[int]:
    return mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('client', 'instructor')", name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime]


class InstructorGrant(Base):
    """A client lets an instructor read their log; revoking keeps the row with ``revoked_at`` set."""

    __tablename__ = "instructor_grants"
    __table_args__ = (UniqueConstraint("client_id", "instructor_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    instructor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    granted_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]


class Profile(Base):
    __tablename__ = "profiles"
    __table_args__ = (UniqueConstraint("user_id", "uid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36))
    user_id: Mapped[int] = _owner()
    name: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime]


class Plan(Base):
    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("user_id", "uid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36))
    user_id: Mapped[int] = _owner()
    profile_id: Mapped[int | None] = mapped_column(ForeignKey("profiles.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    data: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime]

    profile: Mapped[Profile | None] = relationship(lazy="joined")


class PerformedSession(Base):
    """A session done on a date; ``plan_week``/``plan_session`` (migration 0002) name the planned one."""

    __tablename__ = "performed_sessions"
    __table_args__ = (UniqueConstraint("user_id", "uid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36))
    user_id: Mapped[int] = _owner()
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    notes: Mapped[str] = mapped_column(Text)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))
    plan_week: Mapped[int | None] = mapped_column(Integer)
    plan_session: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime]

    plan: Mapped[Plan | None] = relationship(lazy="joined")
    sets: Mapped[list[SetRow]] = relationship(
        order_by="SetRow.ordinal", cascade="all, delete-orphan", passive_deletes=True, lazy="selectin"
    )


class SetRow(Base):
    __tablename__ = "sets"
    __table_args__ = (
        CheckConstraint("side IN ('both', 'left', 'right')", name="side"),
        CheckConstraint("pain BETWEEN 0 AND 10", name="pain"),
        CheckConstraint("rpe IS NULL OR rpe BETWEEN 1 AND 10", name="rpe"),
        CheckConstraint("reps >= 0", name="reps"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = _owner()
    session_id: Mapped[int] = mapped_column(
        ForeignKey("performed_sessions.id", ondelete="CASCADE"), index=True
    )
    ordinal: Mapped[int] = mapped_column(Integer)
    exercise: Mapped[str] = mapped_column(String(64), index=True)
    set_number: Mapped[int] = mapped_column(Integer)
    side: Mapped[str] = mapped_column(String(5))
    reps: Mapped[int] = mapped_column(Integer)
    prop: Mapped[str] = mapped_column(String(64))
    placement: Mapped[str] = mapped_column(String(64))
    position: Mapped[str] = mapped_column(String(64))
    tempo: Mapped[str | None] = mapped_column(String(32))
    rpe: Mapped[int | None] = mapped_column(Integer)
    pain: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text)


class Analysis(Base):
    """A video analysis (migration 0002): report.json, metrics, files, the version that made it."""

    __tablename__ = "analyses"
    __table_args__ = (UniqueConstraint("user_id", "uid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36))
    user_id: Mapped[int] = _owner()
    session_id: Mapped[int | None] = mapped_column(ForeignKey("performed_sessions.id", ondelete="SET NULL"))
    exercise: Mapped[str] = mapped_column(String(64), index=True)
    report: Mapped[dict[str, Any]]
    metrics: Mapped[dict[str, Any]]
    files: Mapped[dict[str, Any]]
    midline_version: Mapped[str] = mapped_column(String(32))
    analysis_version: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]

    session: Mapped[PerformedSession | None] = relationship(lazy="joined")


class AnalysisLandmarks(Base):
    """The landmarks.json of an analysis, zlib-compressed JSON; kept apart as it is the large part."""

    __tablename__ = "analysis_landmarks"

    analysis_id: Mapped[int] = mapped_column(ForeignKey("analyses.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = _owner()
    encoding: Mapped[str] = mapped_column(String(16))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class LoginFailure(Base):
    """A failed login (migration 0003). The login rate limit counts these per (username, client
    address) over a sliding window in the database, so every server process and a restart see the
    same count; ``at`` is the wall-clock time in seconds since the epoch."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_username_address", "username", "address"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[float] = mapped_column(Float, index=True)
