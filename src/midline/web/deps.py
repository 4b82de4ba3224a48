"""Per-request look-ups shared by the pages and the API: the app's state and the signed-in user."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from fastapi import Depends, Header, HTTPException, Request
from fastapi.templating import Jinja2Templates

from midline.catalog import Catalog
from midline.log.records import UserRecord
from midline.log.repository import LogRepository
from midline.web import planning
from midline.web.jobs import JobQueue
from midline.web.security import LoginLimiter, RevokedSessions, csrf_ok, new_sid
from midline.web.settings import Settings

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
T = TypeVar("T")


@dataclass
class WebState:
    settings: Settings
    repo: LogRepository
    catalog: Catalog
    templates: Jinja2Templates
    limiter: LoginLimiter
    jobs: JobQueue
    revoked: RevokedSessions


class LoginRequiredError(Exception):
    """A page needs a signed-in user; the handler redirects to the login page."""


def state(request: Request) -> WebState:
    found: WebState = request.app.state.web
    return found


def signed_in(request: Request) -> UserRecord | None:
    """The user named by the session cookie (None when absent, or when the account was deleted)."""
    name = request.session.get("user")
    sid = request.session.get("sid")
    if not isinstance(name, str) or not isinstance(sid, str) or state(request).revoked.ended(sid):
        return None
    user = state(request).repo.user(name)
    if user is None or user.password_hash is None:
        request.session.pop("user", None)
        return None
    return user


def start_session(request: Request, username: str) -> None:
    """A fresh session (new id, new CSRF token) for a user who just proved who they are."""
    request.session.clear()
    request.session["user"] = username
    request.session["sid"] = new_sid()


def end_session(request: Request) -> None:
    """Log out: the session id is revoked server-side, so a copied cookie stops working too."""
    sid = request.session.get("sid")
    if isinstance(sid, str):
        state(request).revoked.revoke(sid)
    request.session.clear()


def page_user(request: Request) -> UserRecord:
    user = signed_in(request)
    if user is None:
        raise LoginRequiredError
    return user


def api_user(request: Request, x_csrf_token: str | None = Header(default=None)) -> UserRecord:
    """The signed-in user of an API call; a state-changing call must echo the session's CSRF token
    in ``X-CSRF-Token`` (given by /api/login and /api/me), which another site cannot read."""
    user = signed_in(request)
    if user is None:
        raise HTTPException(401, "not signed in: POST /api/login first")
    if request.method in UNSAFE and not csrf_ok(request.session, x_csrf_token):
        raise HTTPException(403, "missing or wrong X-CSRF-Token header (see /api/me)")
    return user


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def or_404(value: T | None, what: str) -> T:
    """``value``, or a 404 "no such <what>": another user's id reads the same as one that never was."""
    if value is None:
        raise HTTPException(404, f"no such {what}")
    return value


def client_in_path(signed_in_user: Callable[..., UserRecord]) -> Callable[..., UserRecord]:
    """A dependency: the account named by the path's ``{username}``, when the user that
    ``signed_in_user`` gives may read it (themselves, or an instructor they granted); else 404."""

    # a default, not Annotated: the annotations are strings, and a closure's names cannot be resolved
    as_user = Depends(signed_in_user)

    def client(request: Request, username: str, user: UserRecord = as_user) -> UserRecord:
        return or_404(planning.viewable(state(request).repo, user, username), "client")

    return client


def delete_analysis(request: Request, user: UserRecord, uid: str) -> None:
    """Delete ``user``'s analysis ``uid`` and the report folder this app made for it (404 if none)."""
    web = state(request)
    found = web.repo.analysis(user.id, uid)
    if found is None or not web.repo.delete_analysis(user.id, uid):
        raise HTTPException(404, "no such analysis")
    web.jobs.remove_analysis_files(user.id, found)


def delete_upload(request: Request, user: UserRecord, job_id: str) -> None:
    """Delete the uploaded video kept after job ``job_id``'s analysis (its report stays; 404 if none)."""
    jobs = state(request).jobs
    if jobs.get(user.id, job_id) is None or not jobs.delete_upload(user.id, job_id):
        raise HTTPException(404, "no such uploaded video")
