"""The interface the CLI and the web app call to store the log; :mod:`midline.storage` implements it.

Every method that reads or writes a user's rows takes the owner's user id first and never returns
another owner's rows: scoping is the repository's job, not the caller's.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from midline.log.records import (
    AnalysisRecord,
    PlanRecord,
    ProfileRecord,
    Role,
    SessionRecord,
    UserRecord,
)


class LogRepository(Protocol):
    # users and access
    def local_user(self) -> UserRecord:
        """The password-less user of a single-person install, created on first use."""
        ...

    def user(self, username: str) -> UserRecord | None: ...

    def create_user(
        self, username: str, display_name: str, role: Role = "client", password_hash: str | None = None
    ) -> UserRecord: ...

    def delete_user(self, owner: int) -> bool:
        """Delete the account and everything it owns (cascade)."""
        ...

    def grant(self, client: int, instructor: int) -> None: ...

    def revoke(self, client: int, instructor: int) -> bool: ...

    def clients_of(self, instructor: int) -> list[UserRecord]:
        """The clients whose grant to ``instructor`` stands (not revoked)."""
        ...

    def may_view(self, viewer: int, owner: int) -> bool:
        """Whether ``viewer`` may read ``owner``'s rows: themselves, or an instructor with a grant."""
        ...

    # profiles and plans
    def add_profile(self, owner: int, profile: ProfileRecord) -> ProfileRecord: ...

    def profile(self, owner: int, uid: str) -> ProfileRecord | None: ...

    def profiles(self, owner: int) -> list[ProfileRecord]: ...

    def add_plan(self, owner: int, plan: PlanRecord) -> PlanRecord: ...

    def plan(self, owner: int, uid: str) -> PlanRecord | None: ...

    def plans(self, owner: int) -> list[PlanRecord]: ...

    # performed sessions
    def save_session(self, owner: int, session: SessionRecord) -> SessionRecord:
        """Insert the session, or replace the stored one with the same uid (fields and sets)."""
        ...

    def session(self, owner: int, uid: str) -> SessionRecord | None: ...

    def sessions(self, owner: int, since: dt.date | None = None) -> list[SessionRecord]:
        """Oldest first (by date, then when recorded)."""
        ...

    def delete_session(self, owner: int, uid: str) -> bool: ...

    # video analyses
    def add_analysis(
        self, owner: int, analysis: AnalysisRecord, landmarks: bytes | None = None
    ) -> AnalysisRecord:
        """Store an analysis; ``landmarks`` is :func:`midline.log.landmarks.pack_landmarks` output."""
        ...

    def analysis(self, owner: int, uid: str) -> AnalysisRecord | None: ...

    def analyses(self, owner: int, exercise: str | None = None) -> list[AnalysisRecord]: ...

    def analysis_landmarks(self, owner: int, uid: str) -> bytes | None: ...

    def delete_analysis(self, owner: int, uid: str) -> bool: ...
