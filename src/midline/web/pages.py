"""Server-rendered pages (Jinja2). Every form posts a CSRF token; every look-up is scoped to its owner
(or to an instructor's granted client), so a guessed id reads as "not found"."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from midline.catalog.query import ExerciseFilter, filter_exercises
from midline.errors import MidlineError
from midline.log.records import AnalysisRecord, PlanRecord, UserRecord
from midline.samples import SAMPLE_EXERCISE, sample_video
from midline.web import planning
from midline.web.accounts import AccountError, log_in, sign_up
from midline.web.body import body_svg
from midline.web.deps import (
    client_in_path,
    delete_analysis,
    delete_upload,
    end_session,
    or_404,
    page_user,
    signed_in,
    state,
)
from midline.web.jobs import new_id
from midline.web.progress import video_trends, weekly_log
from midline.web.security import csrf_ok

PageUser = Annotated[UserRecord, Depends(page_user)]
PageClient = Annotated[UserRecord, Depends(client_in_path(page_user))]

router = APIRouter(include_in_schema=False)


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("user", signed_in(request))
    context["flash"] = request.session.pop("flash", None)
    return state(request).templates.TemplateResponse(request, name, context, status_code=status)


def redirect(request: Request, url: str, flash: str | None = None) -> RedirectResponse:
    if flash:
        request.session["flash"] = flash
    return RedirectResponse(url, status_code=303)


def form_csrf(request: Request, csrf_token: Annotated[str, Form()] = "") -> None:
    """Every form posts the session's CSRF token; a form without it was not served by this site."""
    if not csrf_ok(request.session, csrf_token):
        raise HTTPException(403, "the form expired or did not come from this site: reload and try again")


CheckedForm = Annotated[None, Depends(form_csrf)]
"""A parameter of every POST handler, after the user (signed-in first, then the token)."""
FormText = Annotated[str, Form()]


# --- account -----------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    return render(request, "home.html")


@router.get("/signup", response_class=HTMLResponse)
def signup_form(request: Request) -> Response:
    return render(request, "signup.html", error=None, values={})


@router.post("/signup")
def signup(
    request: Request,
    _: CheckedForm,
    username: FormText = "",
    display_name: FormText = "",
    password: FormText = "",
    role: FormText = "client",
) -> Response:
    try:
        sign_up(request, username, display_name, password, role)
    except AccountError as exc:
        values = {"username": username.strip().lower(), "display_name": display_name, "role": role}
        return render(request, "signup.html", exc.status, error=str(exc), values=values)
    return redirect(request, "/profile", "welcome: set your profile, then build a plan")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    return render(request, "login.html", error=None, username="")


@router.post("/login")
def login(request: Request, _: CheckedForm, username: FormText = "", password: FormText = "") -> Response:
    try:
        log_in(request, username, password)  # a fresh session (and CSRF token) at every login
    except AccountError as exc:
        status = 400 if exc.status == 401 else exc.status  # a form answers a wrong password with 400
        return render(request, "login.html", status, error=str(exc), username=username.strip().lower())
    return redirect(request, "/plans")


@router.post("/logout")
def logout(request: Request, _: CheckedForm) -> Response:
    end_session(request)
    return redirect(request, "/")


@router.get("/profile", response_class=HTMLResponse)
def profile_page(request: Request, user: PageUser) -> Response:
    return _profile_page(request, user)


def _profile_page(request: Request, user: UserRecord, error: str | None = None) -> Response:
    """The profile form (and, after a refused save, the same page with the reason, status 400)."""
    web = state(request)
    return render(
        request,
        "profile.html",
        200 if error is None else 400,
        profile=planning.latest_profile(web.repo, user.id),
        catalog=web.catalog,
        error=error,
        keep_days=web.jobs.keep_days(user.id),
    )


def profile_form(
    level: Annotated[str, Form()] = "beginner",
    days: Annotated[int, Form()] = 3,
    minutes: Annotated[int, Form()] = 20,
    weeks: Annotated[int, Form()] = 4,
    props: Annotated[list[str] | None, Form()] = None,
    avoid: Annotated[str, Form()] = "",
    prefer: Annotated[str, Form()] = "",
) -> dict[str, Any]:
    """The planner profile's form fields (one form, used by the profile and the plan pages)."""
    return {
        "level": level,
        "days": days,
        "minutes": minutes,
        "weeks": weeks,
        "props": props or [],
        "avoid": avoid,
        "prefer": prefer,
    }


ProfileForm = Annotated[dict[str, Any], Depends(profile_form)]


@router.post("/profile")
def profile_save(request: Request, user: PageUser, _: CheckedForm, values: ProfileForm) -> Response:
    try:
        planning.save_profile(state(request).repo, user.id, values)
    except MidlineError as exc:
        return _profile_page(request, user, str(exc))
    return redirect(request, "/profile", "profile saved")


@router.post("/profile/instructors")
def grant_instructor(
    request: Request,
    user: PageUser,
    _: CheckedForm,
    instructor: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "grant",
) -> Response:
    repo = state(request).repo
    other = repo.user(instructor.strip().lower())
    if other is None or other.role != "instructor" or other.id == user.id:
        return redirect(request, "/profile", f"no instructor named {instructor!r}")
    if action == "revoke":
        done = repo.revoke(user.id, other.id)
        return redirect(
            request,
            "/profile",
            f"{other.username} no longer sees your data" if done else "no access to revoke",
        )
    repo.grant(user.id, other.id)
    return redirect(request, "/profile", f"{other.username} can now see your plans, log and analyses")


@router.post("/account/delete")
def delete_account(
    request: Request,
    user: PageUser,
    _: CheckedForm,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    if confirm.strip().lower() != user.username:
        return redirect(request, "/profile", "type your username to confirm deleting the account")
    state(request).jobs.forget_owner(user.id)
    state(request).repo.delete_user(user.id)
    end_session(request)
    return redirect(request, "/", "account deleted with everything it held")


# --- exercise library ------------------------------------------------------------------------------


@router.get("/exercises", response_class=HTMLResponse)
def exercises(
    request: Request,
    muscle: str = "",
    position: str = "",
    prop: str = "",
    level: str = "",
    kind: str = "",
) -> Response:
    catalog = state(request).catalog
    wanted = ExerciseFilter(
        muscle=muscle or None, position=position or None, prop=prop or None, level=level or None,
        kind=kind or None,
    )  # fmt: skip
    error = None
    try:
        found = filter_exercises(catalog, wanted)
    except MidlineError as exc:
        found, error = [], str(exc)
    groups = list(dict.fromkeys(m.group for m in catalog.muscles.values()))
    return render(
        request,
        "exercises.html",
        200 if error is None else 400,
        exercises=found,
        catalog=catalog,
        groups=groups,
        chosen=wanted,
        error=error,
    )


@router.get("/exercises/{exercise_id}", response_class=HTMLResponse)
def exercise(request: Request, exercise_id: str) -> Response:
    catalog = state(request).catalog
    ex = catalog.exercises.get(exercise_id)
    if ex is None:
        raise HTTPException(404, f"no exercise {exercise_id!r}")
    return render(
        request,
        "exercise.html",
        ex=ex,
        catalog=catalog,
        diagram=body_svg(ex.primary_muscles, ex.secondary_muscles, f"Muscles worked by {ex.name}"),
    )


# --- plans ---------------------------------------------------------------------------------------------


def today(request: Request) -> dt.date:
    return state(request).settings.today()


@router.get("/plans", response_class=HTMLResponse)
def plans(request: Request, user: PageUser) -> Response:
    return _plans_page(request, user)


def _plans_page(request: Request, user: UserRecord, error: str | None = None) -> Response:
    """The plans and the form to build one (after a refused build, with the reason, status 400)."""
    web = state(request)
    return render(
        request,
        "plans.html",
        200 if error is None else 400,
        plans=list(reversed(web.repo.plans(user.id))),
        profile=planning.latest_profile(web.repo, user.id),
        catalog=web.catalog,
        error=error,
    )


@router.post("/plans")
def plan_create(
    request: Request,
    user: PageUser,
    values: ProfileForm,
    _: CheckedForm,
) -> Response:
    web = state(request)
    try:
        plan = planning.create_plan(web.repo, user.id, web.catalog, values, today(request))
    except MidlineError as exc:
        return _plans_page(request, user, str(exc))
    return redirect(request, f"/plans/{plan.uid}", "plan built")


def _own_plan(request: Request, user: UserRecord, uid: str) -> PlanRecord:
    return or_404(state(request).repo.plan(user.id, uid), "plan")


def _plan_page(request: Request, owner: UserRecord, plan: PlanRecord, readonly: bool) -> Response:
    repo = state(request).repo
    return render(
        request,
        "plan.html",
        plan=plan,
        data=plan.data,
        owner=owner,
        readonly=readonly,
        done=planning.done_sessions(repo, owner.id, plan.uid),
        progress=planning.progress(repo, owner.id, plan, today(request)),
        today=today(request),
        muscle_names={k: m.name for k, m in state(request).catalog.muscles.items()},
    )


@router.get("/plans/{uid}", response_class=HTMLResponse)
def plan_view(request: Request, uid: str, user: PageUser) -> Response:
    return _plan_page(request, user, _own_plan(request, user, uid), readonly=False)


@router.post("/plans/{uid}/weeks/{week}/sessions/{session}/done")
def plan_session_done(
    request: Request,
    uid: str,
    week: int,
    session: int,
    user: PageUser,
    _: CheckedForm,
    date: Annotated[str, Form()] = "",
    rpe: Annotated[str, Form()] = "",
    pain: Annotated[int, Form()] = 0,
    notes: Annotated[str, Form()] = "",
) -> Response:
    plan = _own_plan(request, user, uid)
    try:
        day = dt.date.fromisoformat(date) if date else today(request)
        rpe_value = int(rpe) if rpe.strip() else None
        planning.mark_done(state(request).repo, user.id, plan, week, session, day, rpe_value, pain, notes)
    except (MidlineError, ValueError) as exc:
        return redirect(request, f"/plans/{uid}#week-{week}", f"not recorded: {exc}")
    return redirect(request, f"/plans/{uid}#week-{week}", f"week {week} session {session} done")


@router.post("/plans/{uid}/replan")
def plan_replan(request: Request, uid: str, user: PageUser, _: CheckedForm) -> Response:
    plan = _own_plan(request, user, uid)
    try:
        new = planning.replan(state(request).repo, user.id, plan, today(request))
    except MidlineError as exc:
        return redirect(request, f"/plans/{uid}", str(exc))
    return redirect(request, f"/plans/{new.uid}", "the remaining weeks are re-planned from today")


# --- log and analyses ------------------------------------------------------------------------------


@router.get("/log", response_class=HTMLResponse)
def log(request: Request, user: PageUser) -> Response:
    web = state(request)
    return render(
        request,
        "log.html",
        sessions=list(reversed(web.repo.sessions(user.id))),
        analyses=list(reversed(web.repo.analyses(user.id))),
    )


@router.post("/sessions/{uid}/delete")
def session_delete(request: Request, uid: str, user: PageUser, _: CheckedForm) -> Response:
    if not state(request).repo.delete_session(user.id, uid):
        raise HTTPException(404, "no such session")
    return redirect(request, "/log", "session deleted")


@router.get("/analyses/{uid}", response_class=HTMLResponse)
def analysis_view(request: Request, uid: str, user: PageUser) -> Response:
    found = or_404(state(request).repo.analysis(user.id, uid), "analysis")
    files = {k for k in ("html", "video") if _analysis_file(request, user, found, k) is not None}
    return render(request, "analysis.html", analysis=found, files=files, **_analysis_context(request, found))


CHART_KEYS = ["index", "concentric_s", "hold_s", "eccentric_s", "thigh_gap_min", "knee_gap_min"]
CHART_KEYS += ["ankle_gap_min"]


def _analysis_context(request: Request, analysis: AnalysisRecord) -> dict[str, Any]:
    """The exercise's name and the per-rep numbers the page charts (tempo, leg gaps at the squeeze)."""
    ex = state(request).catalog.exercises.get(analysis.exercise)
    keys = CHART_KEYS
    reps = [{k: r.get(k) for k in keys} for r in analysis.report.get("reps") or [] if isinstance(r, dict)]
    return {"exercise_name": ex.name if ex is not None else analysis.exercise, "chart": {"reps": reps}}


def _analysis_file(request: Request, user: UserRecord, analysis: AnalysisRecord, kind: str) -> Path | None:
    """A file of an analysis made by this app (under the owner's report folder), if it still exists."""
    value = analysis.files.get(kind)
    if value is None:
        return None
    base = (state(request).settings.data_dir / "reports" / str(user.id)).resolve()
    path = Path(value).resolve()
    return path if path.is_relative_to(base) and path.is_file() else None


def _analysis_download(request: Request, user: UserRecord, uid: str, kind: str, what: str) -> Path:
    found = state(request).repo.analysis(user.id, uid)
    return or_404(None if found is None else _analysis_file(request, user, found, kind), what)


@router.get("/analyses/{uid}/report.html")
def analysis_report(request: Request, uid: str, user: PageUser) -> Response:
    path = _analysis_download(request, user, uid, "html", "report")
    return FileResponse(path, media_type="text/html")


@router.get("/analyses/{uid}/annotated.mp4")
def analysis_video(request: Request, uid: str, user: PageUser) -> Response:
    return FileResponse(_analysis_download(request, user, uid, "video", "video"), media_type="video/mp4")


@router.post("/jobs/{job_id}/video/delete")
def job_video_delete(request: Request, job_id: str, user: PageUser, _: CheckedForm) -> Response:
    delete_upload(request, user, job_id)
    return redirect(request, "/analyse", "video deleted (its report stays)")


RETENTION_CHOICES = {"0": 0, "7": 7, "30": 30, "forever": None}


@router.post("/profile/retention")
def retention_save(
    request: Request,
    user: PageUser,
    _: CheckedForm,
    keep: Annotated[str, Form()] = "0",
) -> Response:
    if keep not in RETENTION_CHOICES:
        raise HTTPException(400, "choose how long to keep videos from the list")
    state(request).jobs.set_keep_days(user.id, RETENTION_CHOICES[keep])
    return redirect(request, "/profile", "video retention saved")


@router.get("/analyse", response_class=HTMLResponse)
def analyse_page(request: Request, user: PageUser, job: str = "") -> Response:
    web = state(request)
    web.jobs.sweep(user.id)
    exercises = [e for e in web.catalog.exercises.values() if e.analysis is not None]
    jobs = list(reversed(web.jobs.list(user.id)))
    watched = web.jobs.get(user.id, job) if job else None
    return render(
        request,
        "analyse.html",
        exercises=exercises,
        positions=web.catalog.positions,
        jobs=jobs,
        kept={j.id for j in jobs if web.jobs.video_kept(user.id, j.id)},
        limit_mb=web.settings.upload_limit // (1024 * 1024),
        keep_days=web.jobs.keep_days(user.id),
        watch=watched.id if watched is not None and watched.status in ("queued", "running") else None,
        sample_exercise=web.catalog.exercises[SAMPLE_EXERCISE].name,
    )


@router.post("/analyse/sample")
def analyse_sample(request: Request, user: PageUser, _: CheckedForm) -> Response:
    """Analyse the clip bundled with midline (a standing squeeze), as if the user had uploaded it:
    a new user sees a whole report without filming anything first."""
    jobs = state(request).jobs
    job_id = new_id()
    target = jobs.upload_path(user.id, job_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(sample_video(), target)
    jobs.submit(user.id, job_id, SAMPLE_EXERCISE, None)
    return redirect(request, f"/analyse?job={job_id}")


@router.post("/analyses/{uid}/delete")
def analysis_delete(request: Request, uid: str, user: PageUser, _: CheckedForm) -> Response:
    delete_analysis(request, user, uid)
    return redirect(request, "/log", "analysis deleted")


@router.get("/progress", response_class=HTMLResponse)
def progress_page(request: Request, user: PageUser) -> Response:
    web = state(request)
    data = {
        "log": weekly_log(web.repo.sessions(user.id), web.catalog),
        "video": video_trends(web.repo.analyses(user.id)),
    }
    return render(request, "progress.html", data=data)


# --- instructor ------------------------------------------------------------------------------------


@router.get("/clients", response_class=HTMLResponse)
def clients(request: Request, user: PageUser) -> Response:
    found = state(request).repo.clients_of(user.id) if user.role == "instructor" else []
    return render(request, "clients.html", clients=found)


@router.get("/clients/{username}", response_class=HTMLResponse)
def client_view(request: Request, owner: PageClient) -> Response:
    repo = state(request).repo
    return render(
        request,
        "client.html",
        client=owner,
        plans=list(reversed(repo.plans(owner.id))),
        sessions=list(reversed(repo.sessions(owner.id))),
        analyses=list(reversed(repo.analyses(owner.id))),
    )


@router.get("/clients/{username}/analyses/{uid}", response_class=HTMLResponse)
def client_analysis(request: Request, uid: str, owner: PageClient) -> Response:
    found = or_404(state(request).repo.analysis(owner.id, uid), "analysis")
    context = _analysis_context(request, found)
    return render(request, "analysis.html", analysis=found, files=set(), client=owner, **context)


@router.get("/clients/{username}/plans/{uid}", response_class=HTMLResponse)
def client_plan(request: Request, uid: str, owner: PageClient) -> Response:
    plan = or_404(state(request).repo.plan(owner.id, uid), "plan")
    return _plan_page(request, owner, plan, readonly=True)
