"""What the plan pages and the plan API do, on top of the planner and the log service."""

from __future__ import annotations

import datetime as dt
import secrets
import time
import uuid
from typing import Any

from midline.catalog import Catalog
from midline.log.records import PlanRecord, ProfileRecord, SessionRecord, UserRecord
from midline.log.repository import LogRepository
from midline.log.service import mark_planned_done
from midline.planner import Profile, build_plan, make_profile
from midline.web.replan import PlanProgress, ReplanError, plan_progress, replan_from

PROFILE_NAME = "current"


def ordered_uid() -> str:
    """A UUID-shaped uid whose text sorts by creation time: the repository orders rows by
    ``created_at`` (to the second), then uid, so two profiles saved within one second still list
    oldest first and "the latest profile" is the one saved last."""
    return str(uuid.UUID(int=(time.time_ns() << 64) | secrets.randbits(64)))


def latest_profile(repo: LogRepository, owner: int) -> Profile:
    """The owner's most recent planner profile, or the planner's defaults."""
    stored = repo.profiles(owner)
    if not stored:
        return make_profile()
    return make_profile(**stored[-1].data)


def save_profile(repo: LogRepository, owner: int, values: dict[str, Any]) -> Profile:
    """Validate (ProfileError with every problem named) and keep a new version of the profile."""
    profile = make_profile(**values)
    record = ProfileRecord(name=PROFILE_NAME, data=profile.model_dump(mode="json"), uid=ordered_uid())
    repo.add_profile(owner, record)
    return profile


def plan_name(profile: Profile, start: dt.date) -> str:
    return (
        f"{profile.level}, {profile.days} days x {profile.minutes} min, {profile.weeks} weeks"
        f" from {start.isoformat()}"
    )


def create_plan(
    repo: LogRepository, owner: int, catalog: Catalog, values: dict[str, Any], today: dt.date
) -> PlanRecord:
    """Build a plan from the profile ``values`` (also kept as the owner's profile), starting today."""
    profile = make_profile(**values)
    plan = build_plan(profile, catalog)  # PlanInfeasibleError names what cannot be met
    data = profile.model_dump(mode="json")
    stored = repo.add_profile(owner, ProfileRecord(name=PROFILE_NAME, data=data, uid=ordered_uid()))
    record = PlanRecord(
        name=plan_name(profile, today),
        data=plan.to_dict(),
        profile_uid=stored.uid,
        start_date=today,
        uid=ordered_uid(),
    )
    return repo.add_plan(owner, record)


def done_sessions(repo: LogRepository, owner: int, plan_uid: str) -> dict[tuple[int, int], SessionRecord]:
    return {
        (s.plan_week, s.plan_session): s
        for s in repo.sessions(owner)
        if s.plan_uid == plan_uid and s.plan_week is not None and s.plan_session is not None
    }


def progress(repo: LogRepository, owner: int, plan: PlanRecord, today: dt.date) -> PlanProgress:
    start = plan.start_date or plan.created_at.date()
    return plan_progress(plan.data, start, done_sessions(repo, owner, plan.uid), today)


def mark_done(
    repo: LogRepository,
    owner: int,
    plan: PlanRecord,
    week: int,
    session: int,
    date: dt.date,
    rpe: int | None,
    pain: int,
    notes: str,
) -> SessionRecord:
    return mark_planned_done(repo, owner, plan, week, session, date, rpe=rpe, pain=pain, notes=notes)


def replan(repo: LogRepository, owner: int, plan: PlanRecord, today: dt.date) -> PlanRecord:
    """The rest of ``plan`` as a new plan starting today, when a week was missed (see replan.py)."""
    state = progress(repo, owner, plan, today)
    if state.finished:
        raise ReplanError("every week of this plan has sessions done: build a new plan instead")
    if not state.needs_replan:
        raise ReplanError(
            f"no week missed: week {state.resume_week} is the one to do now, the plan stands as it is"
        )
    data = replan_from(plan.data, state.resume_week, today, plan.uid)
    weeks = len(data["weeks"])
    name = f"{plan.name.split(' from ')[0].rsplit(',', 1)[0]}, {weeks} weeks from {today} (re-planned)"
    record = PlanRecord(
        name=name, data=data, profile_uid=plan.profile_uid, start_date=today, uid=ordered_uid()
    )
    return repo.add_plan(owner, record)


def viewable(repo: LogRepository, viewer: UserRecord, username: str) -> UserRecord | None:
    """The user ``username`` when ``viewer`` may read their data (an instructor with a standing
    grant), else None, so an id that is not yours reads exactly like one that does not exist."""
    owner = repo.user(username)
    if owner is None or owner.id == viewer.id or viewer.role != "instructor":
        return None
    return owner if repo.may_view(viewer.id, owner.id) else None
