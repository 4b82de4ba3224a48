"""The web app (``midline serve``): FastAPI, server-rendered pages, a JSON API under /api.

``create_app(Settings(...))`` builds it. Imported lazily so ``midline --help`` does not load FastAPI.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from midline.web.app import create_app

        return create_app
    if name == "Settings":
        from midline.web.settings import Settings

        return Settings
    raise AttributeError(name)
