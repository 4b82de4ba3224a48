"""Server-rendered pages (Jinja2). Every form posts a CSRF token; every look-up is scoped to its owner
(or to an instructor's granted client), so a guessed id reads as "not found"."""

from __future__ import annotations

import datetime as dt
import re
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
from midline.web.body import body_svg
from midline.web.deps import client_address, end_session, page_user, signed_in, start_session, state
from midline.web.jobs import new_id
from midline.web.progress import video_trends, weekly_log
from midline.web.security import MIN_PASSWORD, csrf_ok, hash_password, verify_password

PageUser = Annotated[UserRecord, Depends(page_user)]

router = APIRouter(include_in_schema=False)

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,31}$")


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("user", signed_in(request))
    context["flash"] = request.session.pop("flash", None)
    return state(request).templates.TemplateResponse(request, name, context, status_code=status)


def redirect(request: Request, url: str, flash: str | None = None) -> RedirectResponse:
    if flash:
        request.session["flash"] = flash
    return RedirectResponse(url, status_code=303)


def require_csrf(request: Request, token: str) -> None:
    if not csrf_ok(request.session, token):
        raise HTTPException(403, "the form expired or did not come from this site: reload and try again")


def check_new_account(username: str, password: str) -> str | None:
    """What is wrong with a sign-up, or None."""
    if not USERNAME.match(username):
        return "username: 2-32 characters, lower-case letters, digits, '.', '_' or '-'"
    if len(password) < MIN_PASSWORD:
        return f"password: at least {MIN_PASSWORD} characters"
    return None


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
    csrf_token: Annotated[str, Form()] = "",
    username: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "client",
) -> Response:
    require_csrf(request, csrf_token)
    web = state(request)
    username = username.strip().lower()
    problem = check_new_account(username, password)
    if problem is None and role not in ("client", "instructor"):
        problem = "role: client or instructor"
    if problem is None and web.repo.user(username) is not None:
        problem = "that username is taken"
    if problem is not None:
        values = {"username": username, "display_name": display_name, "role": role}
        return render(request, "signup.html", 400, error=problem, values=values)
    web.repo.create_user(
        username,
        display_name.strip() or username,
        "instructor" if role == "instructor" else "client",
        hash_password(password),
    )
    start_session(request, username)
    return redirect(request, "/profile", "welcome: set your profile, then build a plan")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    return render(request, "login.html", error=None, username="")


@router.post("/login")
def login(
    request: Request,
    csrf_token: Annotated[str, Form()] = "",
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    require_csrf(request, csrf_token)
    web = state(request)
    username = username.strip().lower()
    address = client_address(request)
    wait = web.limiter.blocked(username, address)
    if wait is not None:
        msg = f"too many failed logins: try again in {int(wait)} s"
        return render(request, "login.html", 429, error=msg, username=username)
    user = web.repo.user(username)
    if user is None or not verify_password(user.password_hash, password):
        web.limiter.failed(username, address)
        return render(request, "login.html", 400, error="wrong username or password", username=username)
    web.limiter.succeeded(username, address)
    start_session(request, user.username)  # a fresh session (and CSRF token) at every login
    return redirect(request, "/plans")


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    require_csrf(request, csrf_token)
    end_session(request)
    return redirect(request, "/")


@router.get("/profile", response_class=HTMLResponse)
def profile_page(request: Request, user: PageUser) -> Response:
    web = state(request)
    profile = planning.latest_profile(web.repo, user.id)
    return render(
        request,
        "profile.html",
        profile=profile,
        catalog=web.catalog,
        error=None,
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
def profile_save(
    request: Request,
    user: PageUser,
    values: ProfileForm,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    require_csrf(request, csrf_token)
    web = state(request)
    try:
        planning.save_profile(web.repo, user.id, values)
    except MidlineError as exc:
        profile = planning.latest_profile(web.repo, user.id)
        return render(
            request,
            "profile.html",
            400,
            profile=profile,
            catalog=web.catalog,
            error=str(exc),
            keep_days=web.jobs.keep_days(user.id),
        )
    return redirect(request, "/profile", "profile saved")


@router.post("/profile/instructors")
def grant_instructor(
    request: Request,
    user: PageUser,
    csrf_token: Annotated[str, Form()] = "",
    instructor: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "grant",
) -> Response:
    require_csrf(request, csrf_token)
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
    csrf_token: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    require_csrf(request, csrf_token)
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
    web = state(request)
    return render(
        request,
        "plans.html",
        plans=list(reversed(web.repo.plans(user.id))),
        profile=planning.latest_profile(web.repo, user.id),
        catalog=web.catalog,
        error=None,
    )


@router.post("/plans")
def plan_create(
    request: Request,
    user: PageUser,
    values: ProfileForm,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    require_csrf(request, csrf_token)
    web = state(request)
    try:
        plan = planning.create_plan(web.repo, user.id, web.catalog, values, today(request))
    except MidlineError as exc:
        return render(
            request,
            "plans.html",
            400,
            plans=list(reversed(web.repo.plans(user.id))),
            profile=planning.latest_profile(web.repo, user.id),
            catalog=web.catalog,
            error=str(exc),
        )
    return redirect(request, f"/plans/{plan.uid}", "plan built")


def _own_plan(request: Request, user: UserRecord, uid: str) -> PlanRecord:
    plan = state(request).repo.plan(user.id, uid)
    if plan is None:
        raise HTTPException(404, "no such plan")
    return plan


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
    csrf_token: Annotated[str, Form()] = "",
    date: Annotated[str, Form()] = "",
    rpe: Annotated[str, Form()] = "",
    pain: Annotated[int, Form()] = 0,
    notes: Annotated[str, Form()] = "",
) -> Response:
    require_csrf(request, csrf_token)
    plan = _own_plan(request, user, uid)
    try:
        day = dt.date.fromisoformat(date) if date else today(request)
        rpe_value = int(rpe) if rpe.strip() else None
        planning.mark_done(state(request).repo, user.id, plan, week, session, day, rpe_value, pain, notes)
    except (MidlineError, ValueError) as exc:
        return redirect(request, f"/plans/{uid}#week-{week}", f"not recorded: {exc}")
    return redirect(request, f"/plans/{uid}#week-{week}", f"week {week} session {session} done")


@router.post("/plans/{uid}/replan")
def plan_replan(
    request: Request, uid: str, user: PageUser, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    require_csrf(request, csrf_token)
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
def session_delete(
    request: Request, uid: str, user: PageUser, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    require_csrf(request, csrf_token)
    if not state(request).repo.delete_session(user.id, uid):
        raise HTTPException(404, "no such session")
    return redirect(request, "/log", "session deleted")


@router.get("/analyses/{uid}", response_class=HTMLResponse)
def analysis_view(request: Request, uid: str, user: PageUser) -> Response:
    found = state(request).repo.analysis(user.id, uid)
    if found is None:
        raise HTTPException(404, "no such analysis")
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


@router.get("/analyses/{uid}/report.html")
def analysis_report(request: Request, uid: str, user: PageUser) -> Response:
    found = state(request).repo.analysis(user.id, uid)
    path = None if found is None else _analysis_file(request, user, found, "html")
    if path is None:
        raise HTTPException(404, "no such report")
    return FileResponse(path, media_type="text/html")


@router.get("/analyses/{uid}/annotated.mp4")
def analysis_video(request: Request, uid: str, user: PageUser) -> Response:
    found = state(request).repo.analysis(user.id, uid)
    path = None if found is None else _analysis_file(request, user, found, "video")
    if path is None:
        raise HTTPException(404, "no such video")
    return FileResponse(path, media_type="video/mp4")


@router.post("/jobs/{job_id}/video/delete")
def job_video_delete(
    request: Request, job_id: str, user: PageUser, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    require_csrf(request, csrf_token)
    jobs = state(request).jobs
    if jobs.get(user.id, job_id) is None or not jobs.delete_upload(user.id, job_id):
        raise HTTPException(404, "no such uploaded video")
    return redirect(request, "/analyse", "video deleted (its report stays)")


RETENTION_CHOICES = {"0": 0, "7": 7, "30": 30, "forever": None}


@router.post("/profile/retention")
def retention_save(
    request: Request,
    user: PageUser,
    csrf_token: Annotated[str, Form()] = "",
    keep: Annotated[str, Form()] = "0",
) -> Response:
    require_csrf(request, csrf_token)
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
def analyse_sample(request: Request, user: PageUser, csrf_token: Annotated[str, Form()] = "") -> Response:
    """Analyse the clip bundled with midline (a standing squeeze), as if the user had uploaded it:
    a new user sees a whole report without filming anything first."""
    require_csrf(request, csrf_token)
    jobs = state(request).jobs
    job_id = new_id()
    target = jobs.upload_path(user.id, job_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(sample_video(), target)
    jobs.submit(user.id, job_id, SAMPLE_EXERCISE, None)
    return redirect(request, f"/analyse?job={job_id}")


@router.post("/analyses/{uid}/delete")
def analysis_delete(
    request: Request, uid: str, user: PageUser, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    require_csrf(request, csrf_token)
    web = state(request)
    found = web.repo.analysis(user.id, uid)
    if found is None or not web.repo.delete_analysis(user.id, uid):
        raise HTTPException(404, "no such analysis")
    web.jobs.remove_analysis_files(user.id, found)
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


def _client(request: Request, user: UserRecord, username: str) -> UserRecord:
    owner = planning.viewable(state(request).repo, user, username)
    if owner is None:
        raise HTTPException(404, "no such client")
    return owner


@router.get("/clients/{username}", response_class=HTMLResponse)
def client_view(request: Request, username: str, user: PageUser) -> Response:
    owner = _client(request, user, username)
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
def client_analysis(request: Request, username: str, uid: str, user: PageUser) -> Response:
    owner = _client(request, user, username)
    found = state(request).repo.analysis(owner.id, uid)
    if found is None:
        raise HTTPException(404, "no such analysis")
    context = _analysis_context(request, found)
    return render(request, "analysis.html", analysis=found, files=set(), client=owner, **context)


@router.get("/clients/{username}/plans/{uid}", response_class=HTMLResponse)
def client_plan(request: Request, username: str, uid: str, user: PageUser) -> Response:
    owner = _client(request, user, username)
    plan = state(request).repo.plan(owner.id, uid)
    if plan is None:
        raise HTTPException(404, "no such plan")
    return _plan_page(request, owner, plan, readonly=True)
