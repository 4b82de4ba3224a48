"""Per-request look-ups shared by the pages and the API: the app's state and the signed-in user."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Header, HTTPException, Request
from fastapi.templating import Jinja2Templates

from midline.catalog import Catalog
from midline.log.records import UserRecord
from midline.log.repository import LogRepository
from midline.web.jobs import JobQueue
from midline.web.security import LoginLimiter, RevokedSessions, csrf_ok, new_sid
from midline.web.settings import Settings

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


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
