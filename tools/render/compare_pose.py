"""How far MediaPipe's hip/knee/ankle are from a rendered clip's exact joints, in % of leg length.

    cd tools && ../.venv/bin/python -m render.compare_pose ../tests/data/rendered/<name>.mp4

The yardstick is the truth's leg length in pixels at the hips' depth in each frame, so the figures
compare across camera distances and postures. The mean offset
(the near-constant part: MediaPipe's ankle sits a little above the rig's ankle joint) is reported
apart from the spread around it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import av
import numpy as np
from render.scenario import Camera
from render.truth import camera_matrix

from midline.pose.backend import MediaPipePose

LANDMARK = {
    "left_hip": 23,
    "right_hip": 24,
    "left_knee": 25,
    "right_knee": 26,
    "left_ankle": 27,
    "right_ankle": 28,
}


def detect(video: Path) -> tuple[np.ndarray, int, int]:
    """(F, 33, 4) image landmarks per frame (NaN where no person), and the frame size."""
    pose = MediaPipePose(tracking=True)
    out = []
    try:
        with av.open(str(video)) as container:
            stream = container.streams.video[0]
            for i, frame in enumerate(container.decode(stream)):
                rgb = frame.to_ndarray(format="rgb24")
                res = pose.process(rgb, i / float(stream.average_rate or 30))
                out.append(res[0] if res is not None else np.full((33, 4), np.nan))
                w, h = rgb.shape[1], rgb.shape[0]
    finally:
        pose.close()
    return np.array(out), w, h


def compare(video: Path, truth: dict[str, Any]) -> dict[str, Any]:
    lm, w, h = detect(video)
    scale = np.array([w, h], dtype=np.float64)
    ti = {k: np.asarray(v) * scale for k, v in truth["joints_image"].items()}
    # the true leg length in pixels at the hips' depth (not the projected limbs: a thigh pointing at the
    # camera, as when seated, would shrink the yardstick)
    cam = Camera.model_validate({k: truth["camera"][k] for k in ("position", "look_at", "focal_mm")})
    m = camera_matrix(cam)
    hips = 0.5 * (
        np.asarray(truth["joints_world"]["left_hip"]) + np.asarray(truth["joints_world"]["right_hip"])
    )
    depth = -((hips - m[:3, 3]) @ m[:3, 2])
    leg_px = truth["leg_length_m"] * truth["camera"]["focal_px"] / depth
    detected = ~np.isnan(lm[:, 0, 0])
    report: dict[str, Any] = {"frames": len(lm), "detected": int(detected.sum()), "joints": {}}
    for name, idx in LANDMARK.items():
        d = (lm[detected, idx, :2] * scale - ti[name][detected]) / leg_px[detected, None] * 100.0
        mean = d.mean(axis=0)
        report["joints"][name] = {
            "median_pct": round(float(np.median(np.linalg.norm(d, axis=1))), 2),
            "max_pct": round(float(np.linalg.norm(d, axis=1).max()), 2),
            "mean_offset_pct_xy": [round(float(v), 2) for v in mean],
            "spread_pct": round(float(np.sqrt(((d - mean) ** 2).sum(axis=1).mean())), 2),
        }
    return report


def main(argv: list[str]) -> int:
    video = Path(argv[0])
    truth = json.loads(video.with_name(video.name.removesuffix(".mp4") + ".truth.json").read_text())
    print(json.dumps(compare(video, truth), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
