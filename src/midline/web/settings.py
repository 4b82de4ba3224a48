"""What the web app is configured with: database, data folder, upload limit, the session secret."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

DEFAULT_UPLOAD_LIMIT = 500 * 1024 * 1024
"""Bytes; an upload is cut off once it passes this while streaming to disk."""


DEFAULT_ANALYSIS_WORKERS = 2
"""Two, for a 2-core machine: a short video need not wait behind a long one, and each analysis
already spreads its pose pass over the cores, so more would only share the same CPU."""


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("midline")) / "web"


def load_secret(data_dir: Path) -> str:
    """The session-signing key kept in ``data_dir/secret_key``, generated (mode 0600) when absent,
    so sessions survive a restart without a key in any config file."""
    path = data_dir / "secret_key"
    if path.exists():
        key = path.read_text(encoding="utf-8").strip()
        if key:
            return key
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(key)
    return key


@dataclass(frozen=True)
class Settings:
    db: str | None = None
    """Database URL or SQLite path; None = $MIDLINE_DB or the default SQLite file."""
    data_dir: Path = field(default_factory=default_data_dir)
    """Uploads and the secret key live here, outside any static folder."""
    upload_limit: int = DEFAULT_UPLOAD_LIMIT
    secret_key: str | None = None
    """None = read or create ``data_dir/secret_key``."""
    https_only: bool = False
    """Mark the session cookie Secure (set behind TLS)."""
    analysis_workers: int = DEFAULT_ANALYSIS_WORKERS
    """Uploaded videos analysed at the same time (one worker thread each); more wait in the queue."""
    login_failures: int = 5
    login_window_s: float = 300.0
    keep_videos_days: int | None = 0
    """Retention of uploaded videos for users who chose none: 0 deletes the original as soon as its
    analysis ends (the landmarks, report and annotated video stay), N keeps it N days, None until
    the user deletes it. Each user can choose on the profile page."""
    today: Callable[[], dt.date] = dt.date.today
    """The date "today" means for plans and the log (tests pass a fixed one)."""

    def secret(self) -> str:
        return self.secret_key or load_secret(self.data_dir)
