"""A live set from an exercise id: the catalog's spec and tempo, then the desktop live loop."""

from __future__ import annotations

from pathlib import Path

from midline.catalog import load_catalog
from midline.live.coach import target_tempo
from midline.live.desktop import LiveResult, LiveSource, run_live


def live_session(
    exercise_id: str,
    *,
    camera: int | None = None,
    video: Path | None = None,
    position: str | None = None,
    height_cm: float | None = None,
    show_window: bool = True,
    max_seconds: float | None = None,
) -> LiveResult:
    """Resolve the exercise (clear errors for unknown ids/positions) and coach the set live."""
    from midline.analysis.run import resolve_spec

    catalog = load_catalog()
    spec = resolve_spec(catalog, exercise_id, position)
    source = LiveSource(camera=camera, video=video, max_seconds=max_seconds)
    return run_live(
        spec,
        source,
        asked_position=position,
        height_cm=height_cm,
        tempo=target_tempo(catalog, exercise_id),
        reps_target=catalog.exercises[exercise_id].default_reps,
        show_window=show_window,
    )
