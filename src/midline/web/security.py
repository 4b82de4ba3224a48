"""Passwords (argon2), the session-bound CSRF token, and the login rate limit (in the database)."""

from __future__ import annotations

import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, Engine, and_, delete, insert, select

from midline.atomic import write_text
from midline.storage.orm import LoginFailure

_hasher = PasswordHasher()

MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """False for a wrong password and for an account without one (the password-less local user)."""
    if not stored:
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """The session's CSRF token, created on first use; forms echo it, the server compares."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_ok(session: MutableMapping[str, Any], given: str | None) -> bool:
    token = session.get("csrf")
    return isinstance(token, str) and given is not None and hmac.compare_digest(token, given)


class LoginLimiter:
    """At most ``failures`` failed logins per (username, client address) in ``window_s`` seconds.

    The failures are rows of the database (table ``login_failures``), not process memory: every
    server process on the same database, and a restarted one, counts the same attempts, so running
    N processes does not give an attacker N times the tries. Each failure also deletes the rows
    whose window has passed, so guesses under ever new usernames cannot grow the table without
    bound. The clock is wall-clock seconds, the one time processes on a machine share.
    """

    def __init__(
        self, engine: Engine, failures: int, window_s: float, clock: Callable[[], float] = time.time
    ) -> None:
        self.engine = engine
        self.failures = failures
        self.window_s = window_s
        self.clock = clock

    @staticmethod
    def _key(username: str, address: str) -> ColumnElement[bool]:
        # the columns hold 64 characters: a longer name is its first 64 (a real username is at most 32)
        return and_(LoginFailure.username == username.lower()[:64], LoginFailure.address == address[:64])

    def blocked(self, username: str, address: str) -> float | None:
        """Seconds until the next attempt is allowed, or None when it is allowed now."""
        now = self.clock()
        recent = select(LoginFailure.at).where(
            self._key(username, address), LoginFailure.at > now - self.window_s
        )
        with self.engine.connect() as conn:
            times = list(conn.scalars(recent.order_by(LoginFailure.at)))
        if len(times) < self.failures:
            return None
        # allowed again once enough of them have left the window to be under the limit
        return max(1.0, times[len(times) - self.failures] + self.window_s - now)

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        row = {"username": username.lower()[:64], "address": address[:64], "at": now}
        with self.engine.begin() as conn:
            conn.execute(insert(LoginFailure).values(row))
            conn.execute(delete(LoginFailure).where(LoginFailure.at <= now - self.window_s))

    def succeeded(self, username: str, address: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(LoginFailure).where(self._key(username, address)))


SESSION_MAX_AGE_S = 14 * 24 * 3600
"""How long a session cookie is honoured (Starlette checks the signed timestamp)."""


class RevokedSessions:
    """Session ids ended by a logout, kept until the cookie would expire anyway.

    The session cookie is signed, not stored, so a copy taken before a logout would otherwise stay
    valid; every login gets a random ``sid`` and a logout lists it here (in a file, so a restart
    keeps the list).
    """

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.clock = clock
        self._lock = threading.Lock()
        self._ended: dict[str, float] = {}
        if path.is_file():
            try:
                self._ended = {str(k): float(v) for k, v in json.loads(path.read_text("utf-8")).items()}
            except (ValueError, AttributeError):
                self._ended = {}

    def revoke(self, sid: str) -> None:
        with self._lock:
            now = self.clock()
            self._ended = {k: t for k, t in self._ended.items() if t > now - SESSION_MAX_AGE_S}
            self._ended[sid] = now
            write_text(self.path, json.dumps(self._ended))

    def ended(self, sid: str) -> bool:
        return sid in self._ended


def new_sid() -> str:
    return secrets.token_urlsafe(18)
