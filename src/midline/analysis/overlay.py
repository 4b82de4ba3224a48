"""Per-frame overlays from the analysis traces (what the annotated video shows at each instant)."""

from __future__ import annotations

import numpy as np

from midline.core.pipeline import Analysis
from midline.video.annotate import FrameOverlay


class OverlayTimeline:
    """Looks up the analysed frame nearest a video time; video frames between samples reuse it."""

    def __init__(self, analysis: Analysis) -> None:
        self.tr = analysis.traces
        self.messages = {c.code: c.message for c in analysis.report.cues}
        self.rep_ends = np.array([r.end_s for r in analysis.report.reps])
        self.total = len(analysis.report.reps)
        dt = np.diff(self.tr.t)
        self.tolerance = 1.5 * float(np.median(dt)) if dt.size else 0.1

    def at(self, t: float) -> FrameOverlay:
        tr = self.tr
        done = int((self.rep_ends <= t + 1e-9).sum())
        if tr.t.size == 0:
            return FrameOverlay(None, {}, 0, done, self.total, 0, "")
        i = int(np.clip(np.searchsorted(tr.t, t), 1, tr.t.size - 1)) if tr.t.size > 1 else 0
        if i > 0 and abs(tr.t[i - 1] - t) <= abs(tr.t[i] - t):
            i -= 1
        if abs(tr.t[i] - t) > self.tolerance:
            return FrameOverlay(None, {}, 0, done, self.total, 0, "")
        lm = tr.landmarks[i]
        gaps = {
            "thigh": float(tr.thigh_gap[i]),
            "knee": float(tr.knee_gap[i]),
            "ankle": float(tr.ankle_gap[i]),
        }
        code = str(tr.cue[i])
        return FrameOverlay(
            landmarks=lm if np.isfinite(lm[:, 0]).any() else None,
            gaps=gaps,
            rep=int(tr.rep[i]) + 1,
            reps_done=done,
            reps_total=self.total,
            phase=int(tr.phase[i]),
            cue=self.messages.get(code, code) if code else "",
        )
