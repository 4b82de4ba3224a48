"""How fast is `midline analyze`? Frames per second against the bare decode + pose loop and real time.

Makes a 720p 30 fps H.264 clip, played forwards and backwards to ``--seconds`` long, from
``--source two-people`` (Sports2D's outdoor demo scaled to 1280x720: a man jumping down, a woman
walking past, so the subject tracker has extra work) or ``--source one-person`` (Pose2Sim's lab
clip scaled to 720x1280 portrait at 30 fps: one person stepping, a bystander far behind), then
measures on it, in one run:

1. the bare loop: decode every frame, one MediaPipe pose model, one process;
2. ``analyze --no-video`` (the parallel extraction and the analysis, landmarks.json and report);
3. ``analyze`` (the same plus the annotated video and the HTML report);
4. ``analyze --no-video --precise-timing`` (the pose model re-anchored every 2nd frame: an
   option, no target; printed for what it costs).

Targets (2-core machine): (2) >= 1.7x the bare loop and >= 2.5x real time; (3) <= 25 % over (2).

    .venv/bin/python benchmarks/analyze_speed.py [--source two-people|one-person] [--seconds 30] [--keep DIR]
        [--clip FILE] [--repeat N]

On a shared machine the wall times swing with the load: ``--repeat`` measures the three again
on the same clip and prints the range of each ratio; the CPU seconds of the video on top of
``--no-video`` are printed too (less sensitive to other work than the wall time).
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from fractions import Fraction
from pathlib import Path

# midline and PyAV are imported inside the functions: the worker processes `analyze` starts
# (spawn) import this script again, and should pay no more for it than for the `midline` command.

REAL = Path(__file__).resolve().parent.parent / "tests" / "data" / "real"
SOURCES = {  # file, size (w, h), keep every n-th frame to get 30 fps
    "two-people": (REAL / "sports2d_demo.mp4", (1280, 720), 1),
    "one-person": (REAL / "pose2sim_single_cam01.mp4", (720, 1280), 2),
}


def make_clip(path: Path, source: str, seconds: float) -> tuple[int, tuple[int, int]]:
    """A 720p 30 fps H.264 clip from a real clip, ping-ponged to ``seconds``."""
    import av
    import cv2

    from midline.video.decode import iter_frames

    src, size, step = SOURCES[source]
    frames = [f.rgb for f in iter_frames(src)][::step]
    frames = [cv2.resize(f, size, interpolation=cv2.INTER_AREA) for f in frames]
    order = frames + frames[-2:0:-1]
    n = int(seconds * 30)
    tb = Fraction(1, 30)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        stream.options = {"crf": "20", "preset": "veryfast"}
        for i in range(n):
            frame = av.VideoFrame.from_ndarray(order[i % len(order)], format="rgb24")
            frame.pts, frame.time_base = i, tb
            for p in stream.encode(frame):
                out.mux(p)
        for p in stream.encode():
            out.mux(p)
    return n, size


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the worker processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def bare_loop(path: Path) -> tuple[int, float, float]:
    from midline.pose.backend import MediaPipePose
    from midline.video.decode import iter_frames

    pose = MediaPipePose()
    cpu = cpu_seconds()
    start = time.perf_counter()
    n = 0
    for frame in iter_frames(path):
        pose.process(frame.rgb, frame.t)
        n += 1
    elapsed = time.perf_counter() - start
    used = cpu_seconds() - cpu
    pose.close()
    return n, elapsed, used


def timed_analyze(path: Path, out: Path, make_video: bool, precise: bool = False) -> tuple[float, float]:
    from midline.analysis import AnalyzeOptions, analyze_video
    from midline.pose.backend import PRECISE_TIMING, TRACKING
    from midline.pose.extract import ExtractOptions

    extract = ExtractOptions(pose=PRECISE_TIMING if precise else TRACKING)
    cpu = cpu_seconds()
    start = time.perf_counter()
    analyze_video(path, "standing-squeeze", out, AnalyzeOptions(make_video=make_video, extract=extract))
    return time.perf_counter() - start, cpu_seconds() - cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", choices=sorted(SOURCES), default="two-people")
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--keep", type=Path, help="keep the clip and outputs in this folder")
    ap.add_argument("--clip", type=Path, help="a clip this script made before (--keep), instead of a new one")
    ap.add_argument("--repeat", type=int, default=1, help="measure this many times on the same clip")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        if args.clip is not None:
            import av

            clip = args.clip
            with av.open(str(clip)) as container:
                stream = container.streams.video[0]
                frames, (w, h) = stream.frames, (stream.width, stream.height)
        else:
            clip = work / "bench_720p30.mp4"
            frames, (w, h) = make_clip(clip, args.source, args.seconds)
        duration = frames / 30.0
        print(
            f"clip: {args.source}, {w}x{h}, 30 fps, {frames} frames, {duration:.1f} s; cpus: {os.cpu_count()}"
        )
        summary: dict[str, list[float]] = {"x bare": [], "x real time": [], "video on top %": []}
        for run in range(args.repeat):
            if args.repeat > 1:
                print(f"run {run + 1} of {args.repeat}")
            bare, no_video, full = measure(clip, work, frames, duration)
            summary["x bare"].append(bare / no_video)
            summary["x real time"].append(duration / no_video)
            summary["video on top %"].append(100 * (full - no_video) / no_video)
        if args.repeat > 1:
            print("over the runs (--no-video x bare, x real time; annotated video + html on top):")
            for name, values in summary.items():
                each = ", ".join(f"{v:.2f}" for v in values)
                print(f"  {name:15s} {min(values):7.2f} - {max(values):7.2f}  ({each})")


def measure(clip: Path, work: Path, frames: int, duration: float) -> tuple[float, float, float]:
    """One round of the three measurements; prints its table and returns the three wall times."""
    print(f"load average before: {os.getloadavg()[0]:.2f} (other processes compete for the cores)")
    n, bare, bare_cpu = bare_loop(clip)
    load_bare = os.getloadavg()[0]
    no_video, no_video_cpu = timed_analyze(clip, work / "no_video", make_video=False)
    load_no_video = os.getloadavg()[0]
    full, full_cpu = timed_analyze(clip, work / "full", make_video=True)
    load_full = os.getloadavg()[0]
    precise, precise_cpu = timed_analyze(clip, work / "precise", make_video=False, precise=True)
    rows = [
        ("bare decode + pose loop", bare, bare_cpu, load_bare),
        ("analyze --no-video", no_video, no_video_cpu, load_no_video),
        ("analyze (video + html)", full, full_cpu, load_full),
        ("  --no-video --precise-timing", precise, precise_cpu, os.getloadavg()[0]),
    ]
    print(
        f"{'':30s} {'seconds':>8s} {'video fps':>10s} {'x bare':>7s} {'x real time':>12s} {'cpu s':>7s}"
        f" {'load after':>10s}"
    )
    for name, secs, cpu, load in rows:
        ratios = f"{bare / secs:7.2f} {duration / secs:12.2f}"
        print(f"{name:30s} {secs:8.2f} {n / secs:10.1f} {ratios} {cpu:7.2f} {load:10.2f}")
    print(
        f"annotated video + html on top of --no-video: {100 * (full - no_video) / no_video:.0f} % "
        f"(CPU: {full_cpu - no_video_cpu:.2f} s, {100 * (full_cpu - no_video_cpu) / no_video_cpu:.0f} %)"
    )
    sizes = {p.name: p.stat().st_size for p in (work / "full").iterdir()}
    print("outputs:", ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sorted(sizes.items())))
    print(f"--precise-timing on top of --no-video: {100 * (precise - no_video) / no_video:.0f} % (wall)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return bare, no_video, full


if __name__ == "__main__":
    main()
