"""Turn a catalog exercise into the plain :class:`~midline.core.spec.AnalysisSpec` the core reads."""

from __future__ import annotations

from midline.catalog.loader import Catalog
from midline.core.spec import AnalysisSpec, PositionBand
from midline.errors import MidlineError


class NotAnalysableError(MidlineError):
    """The exercise has no analysis template, so a video of it cannot be analysed."""


def analysis_spec(catalog: Catalog, exercise_id: str) -> AnalysisSpec:
    ex = catalog.exercise(exercise_id)
    tpl = ex.analysis
    if tpl is None:
        analysable = ", ".join(e.id for e in catalog.exercises.values() if e.analysis is not None)
        raise NotAnalysableError(
            f"{exercise_id!r} cannot be analysed from video yet; analysable exercises: {analysable}"
        )
    th = tpl.thresholds
    po = tpl.phase_order
    return AnalysisSpec(
        exercise=ex.id,
        view=tpl.view,
        body=tpl.body,
        primary_signal=tpl.primary_signal,
        unit=tpl.unit,
        squeeze_direction=tpl.squeeze_direction,
        phase_order=(po[0], po[1], po[2]),
        check_position=tpl.check_position,
        default_position=ex.default_position,
        positions=tuple(
            PositionBand(p.id, p.classify.min_deg, p.classify.max_deg) for p in catalog.positions.values()
        ),
        **th.model_dump(),
    )
