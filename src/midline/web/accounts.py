"""Sign-up and log-in, one implementation for the pages and the API: the same checks, messages and
rate limit whichever a client uses. A refusal is an :class:`AccountError` carrying its HTTP status."""

from __future__ import annotations

import re
from typing import Literal

from fastapi import Request

from midline.errors import MidlineError
from midline.log.records import UserRecord
from midline.web.deps import client_address, start_session, state
from midline.web.security import MIN_PASSWORD, hash_password, verify_password

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,31}$")
ROLES = ("client", "instructor")


class AccountError(MidlineError):
    """A sign-up or log-in refused: ``status`` is 400 (bad form), 401 (wrong password) or 429."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def check_new_account(username: str, password: str) -> str | None:
    """What is wrong with a sign-up, or None."""
    if not USERNAME.match(username):
        return "username: 2-32 characters, lower-case letters, digits, '.', '_' or '-'"
    if len(password) < MIN_PASSWORD:
        return f"password: at least {MIN_PASSWORD} characters"
    return None


def sign_up(request: Request, username: str, display_name: str, password: str, role: str) -> UserRecord:
    """Create the account and sign it in (a fresh session); ``username`` is taken lower-case."""
    repo = state(request).repo
    username = username.strip().lower()
    problem = check_new_account(username, password)
    if problem is None and role not in ROLES:
        problem = "role: client or instructor"
    if problem is None and repo.user(username) is not None:
        problem = "that username is taken"
    if problem is not None:
        raise AccountError(problem, 400)
    kind: Literal["client", "instructor"] = "instructor" if role == "instructor" else "client"
    user = repo.create_user(username, display_name.strip() or username, kind, hash_password(password))
    start_session(request, user.username)
    return user


def log_in(request: Request, username: str, password: str) -> UserRecord:
    """The user whose password this is, signed in with a fresh session (and CSRF token). Every
    attempt reserves its password check in the database's rate limit per (username, client address)
    before the check, so concurrent attempts cannot outrun the limit; the reservation stays as the
    failure unless the password is right, and a success clears the count."""
    web = state(request)
    username = username.strip().lower()
    address = client_address(request)
    wait = web.limiter.reserve(username, address)
    if wait is not None:
        raise AccountError(f"too many failed logins: try again in {int(wait)} s", 429)
    user = web.repo.user(username)
    if user is None or not verify_password(user.password_hash, password):
        raise AccountError("wrong username or password", 401)  # the reservation is the failure
    web.limiter.succeeded(username, address)
    start_session(request, user.username)
    return user
