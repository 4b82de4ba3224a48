"""What the log commands do, written against :class:`LogRepository` so the CLI and the web app share it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass, replace
from typing import Any

from midline.catalog import Catalog
from midline.log.entry import LogInputError, SetInput, make_sets, next_set_number, planned_sets
from midline.log.history import metrics_from_report
from midline.log.landmarks import pack_landmarks
from midline.log.records import AnalysisRecord, PlanRecord, SessionRecord, SetRecord, UserRecord
from midline.log.repository import LogRepository
from midline.log.transfer import Bundle, export_document
from midline.log.versions import analysis_version, midline_version

PLAN_NAMESPACE = uuid.UUID("6f1c5a52-54c1-4c61-9a52-8f0f3a0c1d1e")


def log_sets(
    repo: LogRepository, owner: int, catalog: Catalog, given: SetInput, date: dt.date
) -> tuple[SessionRecord, list[SetRecord]]:
    """Add sets to the owner's session of ``date`` (created if there is none); numbering continues."""
    day = [s for s in repo.sessions(owner, since=date) if s.date == date and s.plan_uid is None]
    session = day[-1] if day else SessionRecord(date=date)
    added = make_sets(catalog, given, next_set_number(session, given.exercise))
    saved = repo.save_session(owner, replace(session, sets=(*session.sets, *added)))
    return saved, added


def plan_uid(data: dict[str, Any]) -> str:
    """A plan's uid from its content, so storing the same plan file twice keeps one copy."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return str(uuid.uuid5(PLAN_NAMESPACE, hashlib.sha256(canonical.encode("utf-8")).hexdigest()))


def store_plan(repo: LogRepository, owner: int, data: dict[str, Any]) -> PlanRecord:
    """Store a plan document (``midline plan --json``) unless the owner already has it."""
    if not isinstance(data.get("weeks"), list) or not isinstance(data.get("profile"), dict):
        raise LogInputError("not a midline plan (expected the JSON of `midline plan --json`)")
    uid = plan_uid(data)
    found = repo.plan(owner, uid)
    if found is not None:
        return found
    p = data["profile"]
    name = f"{p.get('level')}, {p.get('days')} days x {p.get('minutes')} min, {p.get('weeks')} weeks"
    return repo.add_plan(owner, PlanRecord(name=name, data=data, uid=uid))


def mark_planned_done(
    repo: LogRepository,
    owner: int,
    plan: PlanRecord,
    week: int,
    session: int,
    date: dt.date,
    rpe: int | None = None,
    pain: int = 0,
    notes: str = "",
) -> SessionRecord:
    """Record a planned session as done as prescribed (one record per set and side)."""
    for done in repo.sessions(owner):
        if (done.plan_uid, done.plan_week, done.plan_session) == (plan.uid, week, session):
            raise LogInputError(
                f"week {week} session {session} of this plan is already marked done (on {done.date})"
            )
    sets = tuple(replace(s, rpe=rpe, pain=pain) for s in planned_sets(plan.data, week, session))
    record = SessionRecord(
        date=date, sets=sets, notes=notes, plan_uid=plan.uid, plan_week=week, plan_session=session
    )
    return repo.save_session(owner, record)


def store_analysis(
    repo: LogRepository,
    owner: int,
    report: dict[str, Any],
    files: dict[str, str],
    landmarks: dict[str, Any] | None,
    metrics: dict[str, float] | None = None,
    session_uid: str | None = None,
) -> AnalysisRecord:
    """Keep a video analysis: report.json, its metrics, the files written, the version that made it."""
    record = AnalysisRecord(
        exercise=str(report.get("exercise", "")),
        report=report,
        metrics=metrics if metrics is not None else metrics_from_report(report),
        files=files,
        midline_version=midline_version(),
        analysis_version=analysis_version(),
        session_uid=session_uid,
    )
    return repo.add_analysis(owner, record, None if landmarks is None else pack_landmarks(landmarks))


def export_user(repo: LogRepository, user: UserRecord) -> dict[str, Any]:
    """The JSON export of everything ``user`` owns."""
    analyses = repo.analyses(user.id)
    blobs = {a.uid: b for a in analyses if (b := repo.analysis_landmarks(user.id, a.uid)) is not None}
    return export_document(
        user, repo.profiles(user.id), repo.plans(user.id), repo.sessions(user.id), analyses, blobs
    )


@dataclass(frozen=True)
class ImportCounts:
    added: dict[str, int]
    skipped: dict[str, int]
    """Rows the owner already had (same uid)."""


def import_bundle(repo: LogRepository, owner: int, bundle: Bundle) -> ImportCounts:
    """Add the bundle's rows to ``owner``; rows already there (same uid) are skipped, not duplicated."""
    added = dict.fromkeys(("profiles", "plans", "sessions", "analyses"), 0)
    skipped = dict(added)

    def count(kind: str, new: bool) -> None:
        (added if new else skipped)[kind] += 1

    for profile in bundle.profiles:
        new = repo.profile(owner, profile.uid) is None
        if new:
            repo.add_profile(owner, profile)
        count("profiles", new)
    for plan in bundle.plans:
        new = repo.plan(owner, plan.uid) is None
        if new:
            repo.add_plan(owner, plan)
        count("plans", new)
    for session in bundle.sessions:
        new = repo.session(owner, session.uid) is None
        if new:
            repo.save_session(owner, session)
        count("sessions", new)
    for analysis in bundle.analyses:
        new = repo.analysis(owner, analysis.uid) is None
        if new:
            repo.add_analysis(owner, analysis, bundle.landmarks.get(analysis.uid))
        count("analyses", new)
    return ImportCounts(added, skipped)
