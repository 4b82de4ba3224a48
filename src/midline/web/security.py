"""Passwords (argon2), the session-bound CSRF token, and the login rate limit (in the database)."""

from __future__ import annotations

import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable, MutableMapping
from hashlib import blake2b
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, Connection, Engine, and_, delete, func, insert, select

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
    """At most ``failures`` password checks per (username, client address) in ``window_s`` seconds,
    however many attempts arrive at once.

    The attempts are rows of the database (table ``login_failures``), not process memory: every
    server process on the same database, and a restarted one, counts the same attempts, so running
    N processes does not give an attacker N times the tries.

    Why reserve first: checking "under the limit?" and recording the failure after the (slow,
    argon2) password check let every attempt of a parallel burst pass the check before any of them
    was recorded. :meth:`reserve` instead claims the check before it, in one short transaction that
    holds a lock on the key: insert the attempt's row, count the key's other rows in the window,
    commit (claimed) or roll back (refused). The lock is SQLite's single writer lock, taken by the
    INSERT (a writer always sees the newest commit), and on PostgreSQL a transaction-level advisory
    lock on a hash of the key (released after the commit is visible, so the next holder's count
    sees it). Attempts on one key are thus counted one after another: exactly ``min(N, failures)``
    of N simultaneous attempts get a check. The lock is held for two statements, never during the
    password check. (Inserting in a committed transaction and counting afterwards needs no lock and
    is also safe, but under a burst the attempts in flight see one another and all may be refused,
    with a lock-out time that is not real.) A refusal leaves nothing behind, so hammering a locked
    key does not lengthen the lock-out; a claimed attempt keeps its row as its failure unless
    :meth:`succeeded` clears the key, and a server dying mid-check leaves it counted as a failure.

    Every claimed attempt also deletes the rows whose window has passed, so guesses under ever new
    usernames cannot grow the table without bound. The clock is wall-clock seconds, the one time
    processes on a machine share.
    """

    def __init__(
        self, engine: Engine, failures: int, window_s: float, clock: Callable[[], float] = time.time
    ) -> None:
        self.engine = engine
        self.failures = failures
        self.window_s = window_s
        self.clock = clock

    @staticmethod
    def _row(username: str, address: str, at: float) -> dict[str, Any]:
        # the columns hold 64 characters: a longer name is its first 64 (a real username is at most 32)
        return {"username": username.lower()[:64], "address": address[:64], "at": at}

    @staticmethod
    def _key(username: str, address: str) -> ColumnElement[bool]:
        row = LoginLimiter._row(username, address, 0.0)
        return and_(LoginFailure.username == row["username"], LoginFailure.address == row["address"])

    def _wait(self, times: list[float], now: float) -> float | None:
        """Seconds until fewer than ``failures`` of these (sorted) times are in the window, or None."""
        if len(times) < self.failures:
            return None
        # allowed again once enough of them have left the window to be under the limit
        return max(1.0, times[len(times) - self.failures] + self.window_s - now)

    def _times(
        self, conn: Connection, username: str, address: str, now: float, *other: ColumnElement[bool]
    ) -> list[float]:
        recent = select(LoginFailure.at).where(
            self._key(username, address), LoginFailure.at > now - self.window_s, *other
        )
        return list(conn.scalars(recent.order_by(LoginFailure.at)))

    def reserve(self, username: str, address: str) -> float | None:
        """Claim one password check: None when claimed, else the seconds until one is allowed.

        A claimed attempt counts as a failure from now on; call :meth:`succeeded` when the password
        was right. A refused one leaves nothing behind.
        """
        now = self.clock()
        row = self._row(username, address, now)
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                key = f"{row['username']}\0{row['address']}".encode()
                lock_id = int.from_bytes(blake2b(key, digest_size=8).digest(), "big", signed=True)
                conn.execute(select(func.pg_advisory_xact_lock(lock_id)))
            own = conn.execute(insert(LoginFailure).values(row).returning(LoginFailure.id)).scalar_one()
            wait = self._wait(self._times(conn, username, address, now, LoginFailure.id != own), now)
            if wait is not None:
                conn.rollback()
                return wait
            conn.commit()
            conn.execute(delete(LoginFailure).where(LoginFailure.at <= now - self.window_s))
            conn.commit()
        return None

    def blocked(self, username: str, address: str) -> float | None:
        """Seconds until the next attempt is allowed, or None when it is allowed now. A look only:
        a caller that goes on to check a password must :meth:`reserve` instead (see the class)."""
        now = self.clock()
        with self.engine.connect() as conn:
            return self._wait(self._times(conn, username, address, now), now)

    def failed(self, username: str, address: str) -> None:
        """Record a failure without a reservation (a reserved attempt is already one)."""
        now = self.clock()
        with self.engine.begin() as conn:
            conn.execute(insert(LoginFailure).values(self._row(username, address, now)))
            conn.execute(delete(LoginFailure).where(LoginFailure.at <= now - self.window_s))

    def succeeded(self, username: str, address: str) -> None:
        """The password was right: the key's count starts afresh (its reservation included)."""
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
