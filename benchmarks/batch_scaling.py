"""How does `midline batch` scale? Clips per minute with 1 and 2 workers, on each engine, in one run.

The same clips (the rendered standing-squeeze clips of tests/data/rendered, 640x480 at 15 fps,
4-12 s each, ``--copies`` times over so each worker gets several) are analysed into a fresh output
folder for every configuration, so nothing is skipped. A configuration's time is the whole
``run_batch`` call: planning and hashing, starting the workers and loading their pose models,
and every video. Ray itself is started once, before the Ray configurations (on a cluster it is
already running), and is not counted.

Target (2-core machine): 2 workers >= 1.8x one worker, on each engine.

    .venv/bin/python benchmarks/batch_scaling.py [--copies 1] [--no-video] [--engines local,ray] [--repeat 1]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

RENDERED = Path(__file__).resolve().parent.parent / "tests" / "data" / "rendered"
EXERCISE = "standing-squeeze"


def make_folder(root: Path, copies: int) -> list[Path]:
    """The clips, ``copies`` times; a copy gets one appended byte (MP4 ignores trailing bytes) so
    its content hash differs and the batch analyses it instead of skipping it as a duplicate."""
    clips = sorted(RENDERED.glob(f"r*_{EXERCISE}_*.mp4"))
    out = []
    for k in range(copies):
        for clip in clips:
            target = root / f"{clip.stem}-{k}.mp4"
            target.write_bytes(clip.read_bytes() + bytes([k]))
            out.append(target)
    return out


def _cpu_s() -> float:
    """CPU seconds of this process and its finished children (the local engine's workers are
    children, reaped when the pool shuts down; Ray's actors are not, so Ray shows no CPU figure)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run_once(folder: Path, out: Path, engine: str, workers: int, make_video: bool) -> tuple[float, float]:
    """Wall seconds and CPU seconds of one batch into a fresh folder."""
    from midline.batch import BatchSettings, run_batch
    from midline.batch.engines import make_engine

    shutil.rmtree(out, ignore_errors=True)
    settings = BatchSettings(EXERCISE, make_video=make_video)
    cpu = _cpu_s()
    start = time.perf_counter()
    result = run_batch([folder], settings, out, make_engine(engine, workers))
    seconds = time.perf_counter() - start
    failed = [r for r in result.rows if r.status != "ok"]
    if failed:
        raise SystemExit(f"{engine}/{workers}: {len(failed)} videos not ok: {failed[0].error}")
    return seconds, _cpu_s() - cpu


def main() -> None:
    from midline.video.probe import probe

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=1, help="how many times each clip is analysed")
    parser.add_argument("--no-video", action="store_true", help="skip the annotated videos")
    parser.add_argument("--engines", default="local,ray")
    parser.add_argument("--repeat", type=int, default=1, help="runs per configuration (median kept)")
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    load = os.getloadavg()
    print(f"cores: {os.cpu_count()}, load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    with tempfile.TemporaryDirectory(prefix="midline-batch-bench-") as tmp:
        root = Path(tmp)
        (root / "in").mkdir()
        clips = make_folder(root / "in", args.copies)
        infos = [probe(c) for c in clips]
        video_s = sum(i.duration_s for i in infos)
        print(
            f"{len(clips)} clips, {sum(i.frames for i in infos)} frames, {video_s:.1f} s of video, "
            f"annotated video: {'no' if args.no_video else 'yes'}\n"
        )
        for engine in engines:
            ray = None
            if engine == "ray":
                import ray as ray_module

                ray = ray_module
                ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
            try:
                times = {}
                for workers in (1, 2):
                    out = root / f"out-{engine}-{workers}"
                    runs = [
                        run_once(root / "in", out, engine, workers, not args.no_video)
                        for _ in range(args.repeat)
                    ]
                    times[workers] = statistics.median(r[0] for r in runs)
                    cpu = statistics.median(r[1] for r in runs)
                    cpu_text = (
                        f"  {cpu / len(clips):5.2f} CPU s/clip ({cpu / video_s:.2f} CPU s per s of video)"
                        if engine == "local"
                        else ""
                    )
                    print(
                        f"{engine:5} {workers} worker(s): {times[workers]:6.1f} s  "
                        f"{len(clips) / times[workers] * 60:6.1f} clips/min  "
                        f"{times[workers] / len(clips):5.2f} s/clip{cpu_text}",
                        flush=True,
                    )
                print(f"{engine:5} speed-up 2 vs 1 worker: {times[1] / times[2]:.2f}x (target >= 1.8x)\n")
            finally:
                if ray is not None:
                    ray.shutdown()
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
