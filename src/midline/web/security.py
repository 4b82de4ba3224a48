"""Passwords (argon2), the session-bound CSRF token, and the login rate limit."""

from __future__ import annotations

import hmac
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from midline.atomic import write_text

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

    In memory: one server process is what ``midline serve`` runs; a restart forgets, which only
    gives an attacker a fresh window as often as they can restart the server.
    """

    def __init__(self, failures: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.failures = failures
        self.window_s = window_s
        self.clock = clock
        self._seen: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        times = self._seen.setdefault(key, deque())
        cutoff = self.clock() - self.window_s
        while times and times[0] <= cutoff:
            times.popleft()
        return times

    def blocked(self, username: str, address: str) -> float | None:
        """Seconds until the next attempt is allowed, or None when it is allowed now."""
        with self._lock:
            times = self._recent((username.lower(), address))
            if len(times) < self.failures:
                return None
            return max(1.0, times[0] + self.window_s - self.clock())

    MAX_KEYS = 10_000
    """Past this many (username, address) pairs, pairs whose failures have all expired are dropped,
    so failed logins under ever new usernames cannot grow the table without bound."""

    def failed(self, username: str, address: str) -> None:
        with self._lock:
            self._recent((username.lower(), address)).append(self.clock())
            if len(self._seen) > self.MAX_KEYS:
                for key in [k for k in self._seen if not self._recent(k)]:
                    del self._seen[key]

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._seen.pop((username.lower(), address), None)


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
