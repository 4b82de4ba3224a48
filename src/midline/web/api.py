"""The JSON API under /api: everything the pages do. Sign in with POST /api/login (a session cookie);
state-changing calls echo the CSRF token in ``X-CSRF-Token``. Another user's ids read as 404."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, Field

from midline.catalog.query import ExerciseFilter, filter_exercises
from midline.errors import MidlineError
from midline.log.records import AnalysisRecord, PlanRecord, SessionRecord, UserRecord
from midline.log.service import export_user
from midline.web import planning
from midline.web.accounts import AccountError, log_in, sign_up
from midline.web.deps import (
    api_user,
    client_in_path,
    delete_analysis,
    delete_upload,
    end_session,
    or_404,
    signed_in,
    state,
)
from midline.web.jobs import UploadTooLargeError, new_id, save_stream
from midline.web.progress import video_trends, weekly_log
from midline.web.security import csrf_token

ApiUser = Annotated[UserRecord, Depends(api_user)]
ApiClient = Annotated[UserRecord, Depends(client_in_path(api_user))]

router = APIRouter(prefix="/api", tags=["api"])


class Credentials(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=1024)


class SignUp(Credentials):
    display_name: str = Field(default="", max_length=128)
    role: Literal["client", "instructor"] = "client"


class Me(BaseModel):
    username: str
    display_name: str
    role: str
    csrf_token: str


class ProfileIn(BaseModel):
    level: Literal["beginner", "intermediate", "advanced"] = "beginner"
    days: int = Field(default=3, ge=1, le=7)
    minutes: int = Field(default=20, ge=5, le=120)
    weeks: int = Field(default=4, ge=1, le=52)
    props: list[str] = Field(default_factory=list, max_length=20)
    avoid: list[str] = Field(default_factory=list, max_length=50)
    prefer: list[str] = Field(default_factory=list, max_length=50)


class Done(BaseModel):
    date: dt.date | None = None
    rpe: int | None = Field(default=None, ge=1, le=10)
    pain: int = Field(default=0, ge=0, le=10)
    notes: str = Field(default="", max_length=2000)


class InstructorName(BaseModel):
    instructor: str = Field(max_length=64)


def _today(request: Request) -> dt.date:
    return state(request).settings.today()


def _bad(exc: Exception) -> HTTPException:
    return HTTPException(400, str(exc))


def _me(request: Request, user: UserRecord) -> Me:
    return Me(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        csrf_token=csrf_token(request.session),
    )


def plan_json(plan: PlanRecord, summary: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "uid": plan.uid,
        "name": plan.name,
        "start_date": plan.start_date.isoformat() if plan.start_date else None,
        "created_at": plan.created_at.isoformat(),
        "profile_uid": plan.profile_uid,
    }
    if not summary:
        out["plan"] = plan.data
    return out


def session_json(s: SessionRecord) -> dict[str, Any]:
    return {
        "uid": s.uid,
        "date": s.date.isoformat(),
        "notes": s.notes,
        "plan_uid": s.plan_uid,
        "plan_week": s.plan_week,
        "plan_session": s.plan_session,
        "sets": [dataclasses.asdict(x) for x in s.sets],
    }


def analysis_json(a: AnalysisRecord, summary: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "uid": a.uid,
        "exercise": a.exercise,
        "created_at": a.created_at.isoformat(),
        "metrics": a.metrics,
        "analysis_version": a.analysis_version,
        "midline_version": a.midline_version,
        "session_uid": a.session_uid,
    }
    if not summary:
        out["report"] = a.report
    return out


# --- account ------------------------------------------------------------------------------------


@router.post("/signup", status_code=201)
def signup(body: SignUp, request: Request) -> Me:
    try:
        user = sign_up(request, body.username, body.display_name, body.password, body.role)
    except AccountError as exc:
        raise HTTPException(exc.status, str(exc)) from None
    return _me(request, user)


@router.post("/login", responses={401: {}, 429: {}})
def login(body: Credentials, request: Request, response: Response) -> Me:
    try:
        user = log_in(request, body.username, body.password)
    except AccountError as exc:
        raise HTTPException(exc.status, str(exc)) from None
    return _me(request, user)


@router.post("/logout", status_code=204)
def logout(request: Request, user: ApiUser) -> None:
    end_session(request)


@router.get("/me")
def me(request: Request) -> Me:
    user = signed_in(request)
    if user is None:
        raise HTTPException(401, "not signed in")
    return _me(request, user)


@router.delete("/me", status_code=204)
def delete_me(request: Request, user: ApiUser) -> None:
    """Delete the account and everything it owns, files included."""
    state(request).jobs.forget_owner(user.id)
    state(request).repo.delete_user(user.id)
    end_session(request)


@router.get("/export")
def export(request: Request, user: ApiUser) -> Response:
    """Everything you own as the JSON of ``midline export --json`` (``midline import`` reads it back)."""
    document = export_user(state(request).repo, user)
    return Response(
        json.dumps(document, indent=1, ensure_ascii=False),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="midline-export.json"'},
    )


@router.get("/profile")
def profile(request: Request, user: ApiUser) -> dict[str, Any]:
    return planning.latest_profile(state(request).repo, user.id).model_dump(mode="json")


@router.put("/profile")
def profile_put(body: ProfileIn, request: Request, user: ApiUser) -> dict[str, Any]:
    try:
        saved = planning.save_profile(state(request).repo, user.id, body.model_dump())
    except MidlineError as exc:
        raise _bad(exc) from None
    return saved.model_dump(mode="json")


# --- instructors -----------------------------------------------------------------------------------


def _instructor(request: Request, user: UserRecord, name: str) -> UserRecord:
    other = state(request).repo.user(name.strip().lower())
    if other is None or other.role != "instructor" or other.id == user.id:
        raise HTTPException(404, f"no instructor named {name!r}")
    return other


@router.post("/instructors", status_code=204)
def grant(body: InstructorName, request: Request, user: ApiUser) -> None:
    """Let an instructor see your plans, log and analyses."""
    state(request).repo.grant(user.id, _instructor(request, user, body.instructor).id)


@router.delete("/instructors/{name}", status_code=204)
def revoke(name: str, request: Request, user: ApiUser) -> None:
    if not state(request).repo.revoke(user.id, _instructor(request, user, name).id):
        raise HTTPException(404, "that instructor has no access to revoke")


@router.get("/clients")
def clients(request: Request, user: ApiUser) -> list[dict[str, str]]:
    """The clients who granted you access (instructors only; empty otherwise)."""
    if user.role != "instructor":
        return []
    return [
        {"username": c.username, "display_name": c.display_name}
        for c in state(request).repo.clients_of(user.id)
    ]


@router.get("/clients/{username}/plans")
def client_plans(request: Request, owner: ApiClient) -> list[dict[str, Any]]:
    return [plan_json(p, summary=True) for p in state(request).repo.plans(owner.id)]


@router.get("/clients/{username}/plans/{uid}")
def client_plan(uid: str, request: Request, owner: ApiClient) -> dict[str, Any]:
    return plan_json(or_404(state(request).repo.plan(owner.id, uid), "plan"))


@router.get("/clients/{username}/sessions")
def client_sessions(request: Request, owner: ApiClient) -> list[dict[str, Any]]:
    return [session_json(s) for s in state(request).repo.sessions(owner.id)]


@router.get("/clients/{username}/analyses/{uid}")
def client_analysis(uid: str, request: Request, owner: ApiClient) -> dict[str, Any]:
    return analysis_json(or_404(state(request).repo.analysis(owner.id, uid), "analysis"))


@router.get("/clients/{username}/analyses")
def client_analyses(request: Request, owner: ApiClient) -> list[dict[str, Any]]:
    return [analysis_json(a, summary=True) for a in state(request).repo.analyses(owner.id)]


# --- exercise library --------------------------------------------------------------------------


@router.get("/exercises")
def exercises(
    request: Request,
    muscle: str | None = None,
    position: str | None = None,
    prop: str | None = None,
    level: str | None = None,
    kind: str | None = None,
) -> list[dict[str, Any]]:
    """Exercises matching every filter (muscle id or group, leg position, prop, level, kind)."""
    try:
        found = filter_exercises(
            state(request).catalog, ExerciseFilter(muscle, position, prop, level, False, kind)
        )
    except MidlineError as exc:
        raise _bad(exc) from None
    return [
        {"id": e.id, "name": e.name, "summary": e.summary, "level": e.level, "kind": e.kind} for e in found
    ]


@router.get("/exercises/{exercise_id}")
def exercise(exercise_id: str, request: Request) -> dict[str, Any]:
    ex = state(request).catalog.exercises.get(exercise_id)
    if ex is None:
        raise HTTPException(404, f"no exercise {exercise_id!r}")
    return ex.model_dump(mode="json")


# --- plans ----------------------------------------------------------------------------------------


def _plan(request: Request, user: UserRecord, uid: str) -> PlanRecord:
    return or_404(state(request).repo.plan(user.id, uid), "plan")


@router.get("/plans")
def plans(request: Request, user: ApiUser) -> list[dict[str, Any]]:
    return [plan_json(p, summary=True) for p in state(request).repo.plans(user.id)]


@router.post("/plans", status_code=201)
def plan_create(body: ProfileIn, request: Request, user: ApiUser) -> dict[str, Any]:
    """Build a plan from this profile (kept as your profile), starting today."""
    web = state(request)
    try:
        plan = planning.create_plan(web.repo, user.id, web.catalog, body.model_dump(), _today(request))
    except MidlineError as exc:
        raise _bad(exc) from None
    return plan_json(plan)


@router.get("/plans/{uid}")
def plan(uid: str, request: Request, user: ApiUser) -> dict[str, Any]:
    return plan_json(_plan(request, user, uid))


@router.get("/plans/{uid}/progress")
def plan_progress(uid: str, request: Request, user: ApiUser) -> dict[str, Any]:
    """Sessions done, the week to do next, missed weeks and whether a re-plan is due."""
    p = planning.progress(state(request).repo, user.id, _plan(request, user, uid), _today(request))
    return {
        "weeks": p.weeks,
        "done": sorted([w, s] for w, s in p.done),
        "calendar_week": p.calendar_week,
        "resume_week": p.resume_week,
        "missed": list(p.missed),
        "needs_replan": p.needs_replan,
        "finished": p.finished,
    }


@router.post("/plans/{uid}/weeks/{week}/sessions/{session}/done", status_code=201)
def plan_session_done(
    uid: str, week: int, session: int, body: Done, request: Request, user: ApiUser
) -> dict[str, Any]:
    """Log a planned session as done as prescribed (once per session)."""
    plan = _plan(request, user, uid)
    try:
        done = planning.mark_done(
            state(request).repo, user.id, plan, week, session, body.date or _today(request),
            body.rpe, body.pain, body.notes,
        )  # fmt: skip
    except MidlineError as exc:
        raise _bad(exc) from None
    return session_json(done)


@router.post("/plans/{uid}/replan", status_code=201)
def plan_replan(uid: str, request: Request, user: ApiUser) -> dict[str, Any]:
    """After a missed week: the remaining weeks as a new plan from today (see docs/web.md)."""
    try:
        new = planning.replan(state(request).repo, user.id, _plan(request, user, uid), _today(request))
    except MidlineError as exc:
        raise _bad(exc) from None
    return plan_json(new)


# --- log and analyses -----------------------------------------------------------------------------


@router.get("/progress")
def progress(request: Request, user: ApiUser) -> dict[str, Any]:
    """Weekly reps, sets and reps per muscle group from the log; video metrics per analysis."""
    web = state(request)
    return {
        "log": weekly_log(web.repo.sessions(user.id), web.catalog),
        "video": video_trends(web.repo.analyses(user.id)),
    }


@router.get("/sessions")
def sessions(request: Request, user: ApiUser) -> list[dict[str, Any]]:
    return [session_json(s) for s in state(request).repo.sessions(user.id)]


@router.get("/sessions/{uid}")
def session(uid: str, request: Request, user: ApiUser) -> dict[str, Any]:
    return session_json(or_404(state(request).repo.session(user.id, uid), "session"))


@router.delete("/sessions/{uid}", status_code=204)
def session_delete(uid: str, request: Request, user: ApiUser) -> None:
    if not state(request).repo.delete_session(user.id, uid):
        raise HTTPException(404, "no such session")


def analysable(request: Request, exercise: str, position: str | None) -> None:
    catalog = state(request).catalog
    ex = catalog.exercises.get(exercise)
    if ex is None or ex.analysis is None:
        known = ", ".join(e.id for e in catalog.exercises.values() if e.analysis is not None)
        raise HTTPException(400, f"cannot analyse {exercise!r}; exercises midline can analyse: {known}")
    if position is not None and position not in catalog.positions:
        raise HTTPException(400, f"unknown leg position {position!r}; known: {', '.join(catalog.positions)}")


@router.post(
    "/analyses",
    status_code=202,
    responses={413: {"description": "larger than the upload limit"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def upload(
    request: Request,
    user: ApiUser,
    exercise: str,
    position: str | None = None,
    precise_timing: bool = False,
) -> dict[str, Any]:
    """Upload a video as the raw request body; it is analysed in the background. Poll
    ``/api/jobs/{id}`` for progress; a file that is not a usable video fails its job with the reason.
    ``precise_timing``: pose as ``midline analyze --precise-timing`` runs it (phase times that do not
    trail the movement, for about a third more processing)."""
    web = state(request)
    analysable(request, exercise, position)
    limit = web.settings.upload_limit
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"the upload is larger than the limit of {limit // (1024 * 1024)} MB")
    job_id = new_id()
    try:
        await save_stream(request.stream(), web.jobs.upload_path(user.id, job_id), limit)
    except UploadTooLargeError as exc:
        raise HTTPException(413 if "limit" in str(exc) else 400, str(exc)) from None
    return web.jobs.submit(user.id, job_id, exercise, position, precise_timing).public()


class Retention(BaseModel):
    keep_videos_days: int | None = Field(ge=0, le=3650)
    """0: delete an uploaded video once analysed; N: keep it N days; null: until you delete it."""


@router.get("/preferences/retention")
def retention(request: Request, user: ApiUser) -> Retention:
    return Retention(keep_videos_days=state(request).jobs.keep_days(user.id))


@router.put("/preferences/retention")
def retention_put(body: Retention, request: Request, user: ApiUser) -> Retention:
    """How long your uploaded videos are kept (the landmarks and report stay until you delete them)."""
    state(request).jobs.set_keep_days(user.id, body.keep_videos_days)
    return body


@router.get("/jobs")
def jobs(request: Request, user: ApiUser) -> list[dict[str, Any]]:
    return [j.public() for j in state(request).jobs.list(user.id)]


@router.get("/jobs/{job_id}")
def job(job_id: str, request: Request, user: ApiUser) -> dict[str, Any]:
    """A job's status (queued, running, done, failed), stage, progress 0-1, message, analysis uid."""
    return or_404(state(request).jobs.get(user.id, job_id), "job").public()


@router.delete("/jobs/{job_id}/video", status_code=204)
def job_video_delete(job_id: str, request: Request, user: ApiUser) -> None:
    """Delete an uploaded video kept after its analysis (the report stays)."""
    delete_upload(request, user, job_id)


@router.get("/analyses")
def analyses(request: Request, user: ApiUser) -> list[dict[str, Any]]:
    return [analysis_json(a, summary=True) for a in state(request).repo.analyses(user.id)]


@router.get("/analyses/{uid}")
def analysis(uid: str, request: Request, user: ApiUser) -> dict[str, Any]:
    return analysis_json(or_404(state(request).repo.analysis(user.id, uid), "analysis"))


@router.delete("/analyses/{uid}", status_code=204)
def analysis_delete(uid: str, request: Request, user: ApiUser) -> None:
    delete_analysis(request, user, uid)
