"""Render one clip from a scenario file: plan (numpy), render (Blender, background), encode (PyAV), truth.

    cd tools && ../.venv/bin/python -m render --scenario render/scenarios/X.yaml --out ../tests/data/rendered

Writes <out>/<name>.mp4 and <out>/<name>.truth.json; renders are cached in <work>/<name>/ (resumable).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from render.clip import ClipPlan, plan_clip
from render.scenario import load_scenario
from render.truth import build_truth, camera_matrix

from midline.catalog import load_catalog

HERE = Path(__file__).resolve().parent


def write_scene(plan: ClipPlan, path: Path) -> None:
    """The Blender input: only the vertices the body's triangles use, float32."""
    used = np.unique(plan.body.triangles)
    remap = np.full(len(plan.body.vertices), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    sc = plan.scenario
    np.savez_compressed(
        path,
        triangles=remap[plan.body.triangles].astype(np.int32),
        renders=np.array([r.vertices[used] for r in plan.renders], dtype=np.float32),
        camera_matrix=camera_matrix(sc.camera),
        focal_mm=np.float64(sc.camera.focal_mm),
        look_at=np.array(sc.camera.look_at),
        resolution=np.array(sc.resolution),
        samples=np.int64(sc.samples),
        skin=np.array(sc.skin_rgb),
        box=np.array(plan.box if plan.box else [], dtype=np.float64),
    )


def encode(frame_pngs: list[Path], fps: float, out: Path) -> None:
    """H.264 (yuv420p) from the per-frame PNGs (a repeated render is decoded once)."""
    cache: dict[Path, np.ndarray] = {}
    with av.open(str(out), "w") as container:
        stream = container.add_stream("libx264", rate=Fraction(fps).limit_denominator(1000))
        first = None
        for png in frame_pngs:
            if png not in cache:
                with av.open(str(png)) as img:
                    cache[png] = next(img.decode(video=0)).to_ndarray(format="rgb24")
            arr = cache[png]
            if first is None:
                first = arr
                stream.width, stream.height = arr.shape[1], arr.shape[0]
                stream.pix_fmt = "yuv420p"
                stream.options = {"crf": "20", "preset": "medium"}
            for packet in stream.encode(av.VideoFrame.from_ndarray(arr, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m render", description=__doc__)
    ap.add_argument("--scenario", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--work", type=Path, default=Path("/tmp/midline-render"))
    ap.add_argument("--blender", default=shutil.which("blender") or "blender")
    ap.add_argument(
        "--plan-only",
        action="store_true",
        help="write the truth and the scene, render nothing (keeps render stats)",
    )
    args = ap.parse_args(argv)
    sc = load_scenario(args.scenario)
    t0 = time.time()
    plan = plan_clip(sc)
    analysis = load_catalog().exercise(sc.exercise).analysis
    assert analysis is not None
    truth = build_truth(
        plan, analysis.view, analysis.primary_signal, analysis.unit, analysis.squeeze_direction
    )
    n_frames, n_renders = len(plan.times), len(plan.renders)
    print(f"{sc.name}: {n_frames} frames, {n_renders} unique renders, planned in {time.time() - t0:.1f} s")
    work = args.work / sc.name
    work.mkdir(parents=True, exist_ok=True)
    write_scene(plan, work / "scene.npz")
    args.out.mkdir(parents=True, exist_ok=True)
    truth_path = args.out / f"{sc.name}.truth.json"
    if args.plan_only:
        if truth_path.exists():
            truth["render"] = json.loads(truth_path.read_text()).get("render")
        truth_path.write_text(json.dumps(truth, separators=(",", ":")) + "\n")
        return 0
    cached = len(list(work.glob("render_*.png")))
    t1 = time.time()
    cmd = ["nice", "-n", "10", args.blender, "-b", "--factory-startup", "-P", str(HERE / "blender_scene.py")]
    cmd += ["--", str(work / "scene.npz"), str(work)]
    with (work / "blender.log").open("w") as log:
        rc = subprocess.run(
            cmd, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ), check=False
        ).returncode
    if rc != 0:
        print(f"blender failed (exit {rc}); see {work / 'blender.log'}", file=sys.stderr)
        return 1
    render_s = time.time() - t1
    pngs = [work / f"render_{int(r):04d}.png" for r in plan.frame_to_render]
    encode(pngs, sc.fps, args.out / f"{sc.name}.mp4")
    fresh = len(plan.renders) - cached
    truth["render"] = {
        "unique_frames": len(plan.renders),
        "samples": sc.samples,
        "reused_from_cache": cached,
        "seconds": round(render_s, 1),
        "seconds_per_unique_frame": round(render_s / fresh, 2) if fresh > 0 else None,
    }
    truth_path.write_text(json.dumps(truth, separators=(",", ":")) + "\n")
    print(f"rendered {len(plan.renders)} frames in {render_s:.0f} s -> {args.out / sc.name}.mp4")
    return 0


if __name__ == "__main__":
    sys.exit(main())
