"""The training log's domain records: plain typed values, no storage imports.

Every record a user owns carries a ``uid`` (a UUID string) that stays the same across databases, so an
export names its rows without database ids and an import can tell what it already has.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

Side = Literal["both", "left", "right"]
SIDES: tuple[Side, ...] = ("both", "left", "right")
Role = Literal["client", "instructor"]
ROLES: tuple[Role, ...] = ("client", "instructor")

LOCAL_USERNAME = "local"
"""The user of a single-person install: no password, created on first use."""


def new_uid() -> str:
    return str(uuid.uuid4())


def utc_now() -> dt.datetime:
    """Now in UTC to the second: what every ``created_at`` holds (sub-seconds add nothing to a log)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@dataclass(frozen=True)
class UserRecord:
    id: int
    username: str
    display_name: str
    role: Role
    password_hash: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class SetRecord:
    """One performed set of one exercise on one side ("both" for an exercise of both legs at once)."""

    exercise: str
    set_number: int
    side: Side
    reps: int
    prop: str
    placement: str
    position: str
    tempo: str | None = None
    """Squeeze-hold-release seconds, e.g. "2-2-3"."""
    rpe: int | None = None
    """Rate of perceived exertion, 1-10."""
    pain: int = 0
    """0 = none, 10 = worst; any pain holds the exercise's progression back."""
    notes: str = ""


@dataclass(frozen=True)
class SessionRecord:
    """A performed session: the sets done on one day, optionally the planned session it fulfils."""

    date: dt.date
    sets: tuple[SetRecord, ...] = ()
    notes: str = ""
    plan_uid: str | None = None
    plan_week: int | None = None
    plan_session: int | None = None
    uid: str = field(default_factory=new_uid)
    created_at: dt.datetime = field(default_factory=utc_now)


@dataclass(frozen=True)
class ProfileRecord:
    """A planner profile as its JSON dict (``midline.planner.Profile.model_dump(mode="json")``)."""

    name: str
    data: dict[str, Any]
    uid: str = field(default_factory=new_uid)
    created_at: dt.datetime = field(default_factory=utc_now)


@dataclass(frozen=True)
class PlanRecord:
    """A plan as its JSON dict (``Plan.to_dict()``, the stable structure of docs/planner.md)."""

    name: str
    data: dict[str, Any]
    profile_uid: str | None = None
    start_date: dt.date | None = None
    uid: str = field(default_factory=new_uid)
    created_at: dt.datetime = field(default_factory=utc_now)


@dataclass(frozen=True)
class AnalysisRecord:
    """A video analysis: report.json, its headline metrics, the files it wrote, what made it.

    ``landmarks`` (the landmarks.json document) is kept so the analysis can be re-run by a later
    version; repositories load it only on request, it is the large part.
    """

    exercise: str
    report: dict[str, Any]
    metrics: dict[str, float]
    files: dict[str, str]
    midline_version: str
    analysis_version: str
    session_uid: str | None = None
    uid: str = field(default_factory=new_uid)
    created_at: dt.datetime = field(default_factory=utc_now)
