"""The landmarks of an analysis, kept compressed so a later analysis version can re-run it."""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from typing import Any

from midline.errors import MidlineError


class LandmarksBlobError(MidlineError):
    """Stored landmarks that do not decompress or parse (a damaged database row or import)."""


def pack_landmarks(document: Mapping[str, Any]) -> bytes:
    """landmarks.json as compact JSON, zlib-compressed (landmark series compress about 3-5x)."""
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return zlib.compress(text.encode("utf-8"), level=6)


def unpack_landmarks(blob: bytes) -> dict[str, Any]:
    try:
        out = json.loads(zlib.decompress(blob).decode("utf-8"))
    except (zlib.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LandmarksBlobError(f"stored landmarks are damaged and cannot be read: {exc}") from None
    if not isinstance(out, dict):
        raise LandmarksBlobError("stored landmarks are not a landmarks.json document")
    return out
