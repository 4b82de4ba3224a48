"""Concurrent clients against the real web app on loopback: latency, errors, and whether every upload
produced exactly one stored analysis.

Starts ``midline serve`` (a subprocess, as a user runs it) on a free loopback port with its own
SQLite file and data folder, then runs ``--clients`` threads for ``--seconds``. Each client signs up
and logs in through the API (real argon2, the real login limiter), then loops over a mix:

- ``report``: its analysis page (``GET /analyses/{uid}``, server-rendered);
- ``list``: ``GET /api/analyses``;
- ``upload``: ``POST /api/analyses`` of a tiny clip (the shortest rendered clip, scaled to 320 px
  wide with PyAV: a real video with a real person, so the job must end in a stored analysis),
  at most ``--uploads`` per client during the timed run.

Each client uploads once before the clock starts (so it has a report to read) and waits for it.
After the timed run the job queue is given ``--drain`` seconds; then every upload must have a job
that is done, each with its own analysis, and each client exactly as many stored analyses as it
uploaded. Prints p50/p99 per kind, the error count (must be 0), the check, and the load average.

    .venv/bin/python benchmarks/web_load.py [--clients 8] [--seconds 20] [--uploads 1] [--drain 300]

Measured 25 Nov 2026, shared 2-core machine at a load average of 10-16 from other work, 8 clients,
20 s: report page p50 119-177 ms / p99 494-687 ms, API list p50 127-199 ms / p99 610-739 ms,
upload p50 82-229 ms; sign-up (argon2, 8 at once) p50 about 6 s; 0 errors; 16 of 16 uploads each
one stored analysis, the queue drained 41-46 s after the run (two runs).
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import httpx
import numpy as np
from local_server import start_server

CLIP = Path(__file__).resolve().parent.parent / "tests" / "data" / "rendered"
CLIP = CLIP / "r01_standing-squeeze_clean_caucasian-female.mp4"
EXERCISE = "standing-squeeze"
PASSWORD = "load test password"


def tiny_clip(source: Path, target: Path, width: int = 320) -> Path:
    """``source`` re-encoded at ``width`` pixels wide (H.264, the same frames and rate)."""
    with av.open(str(source)) as inp, av.open(str(target), "w") as out:
        stream = inp.streams.video[0]
        rate = Fraction(stream.average_rate or 15).limit_denominator(1000)
        enc = out.add_stream("libx264", rate=rate)
        enc.width, enc.height = width, (width * stream.height // stream.width) // 2 * 2
        enc.pix_fmt = "yuv420p"
        enc.options = {"crf": "28", "preset": "veryfast"}
        for i, frame in enumerate(inp.decode(stream)):
            small = frame.reformat(width=enc.width, height=enc.height, format="yuv420p")
            small.pts, small.time_base = i, 1 / rate
            out.mux(enc.encode(small))
        out.mux(enc.encode(None))
    return target


@dataclass
class Client:
    url: str
    name: str
    video: bytes
    http: httpx.Client = field(init=False)
    csrf: str = ""
    jobs: list[str] = field(default_factory=list)
    analysis: str | None = None
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.url, timeout=60)

    def call(self, kind: str, method: str, path: str, ok: int = 200, **kw: object) -> httpx.Response | None:
        start = time.perf_counter()
        try:
            headers = {"X-CSRF-Token": self.csrf, "Content-Type": "application/octet-stream"}
            if "json" in kw:
                headers.pop("Content-Type")
            r = self.http.request(method, path, headers=headers, **kw)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            self.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
            return None
        self.times[kind].append(time.perf_counter() - start)
        if r.status_code != ok:
            self.errors.append(f"{kind}: {method} {path} -> {r.status_code} {r.text[:200]}")
            return None
        return r

    def sign_up(self) -> None:
        body = {"username": self.name, "password": PASSWORD}
        r = self.call("signup", "POST", "/api/signup", 201, json=body)
        if r is not None:
            self.http.cookies.clear()
            r = self.call("login", "POST", "/api/login", json=body)
        if r is not None:
            self.csrf = r.json()["csrf_token"]

    def upload(self) -> None:
        r = self.call("upload", "POST", f"/api/analyses?exercise={EXERCISE}", 202, content=self.video)
        if r is not None:
            self.jobs.append(r.json()["id"])

    def wait_jobs(self, deadline: float) -> dict[str, dict[str, object]]:
        """The final state of every job of this client (polled until done/failed or the deadline)."""
        final: dict[str, dict[str, object]] = {}
        while time.monotonic() < deadline and len(final) < len(self.jobs):
            for job in self.jobs:
                if job not in final:
                    r = self.http.get(f"/api/jobs/{job}")
                    if r.status_code == 200 and r.json()["status"] in ("done", "failed"):
                        final[job] = r.json()
            time.sleep(0.5)
        return final

    def run(self, until: float, uploads: int, rng: random.Random) -> None:
        done_uploads = 0
        while time.monotonic() < until:
            roll = rng.random()
            if roll < 0.1 and done_uploads < uploads:
                self.upload()
                done_uploads += 1
            elif roll < 0.55 and self.analysis is not None:
                self.call("report", "GET", f"/analyses/{self.analysis}")
            else:
                self.call("list", "GET", "/api/analyses")


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q)) if values else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=20.0, help="length of the timed run (1-300)")
    ap.add_argument("--uploads", type=int, default=1, help="uploads per client during the timed run")
    ap.add_argument("--workers", type=int, default=2, help="analysis workers of the server (serve --workers)")
    ap.add_argument("--drain", type=float, default=300.0, help="seconds allowed for the queue to finish")
    args = ap.parse_args()
    if not 1 <= args.seconds <= 300 or args.clients < 1:
        ap.error("--seconds must be 1-300 and --clients at least 1")

    with tempfile.TemporaryDirectory(prefix="midline-web-load-") as tmp:
        root = Path(tmp)
        video = tiny_clip(CLIP, root / "tiny.mp4").read_bytes()
        proc, url = start_server(root, args.workers)
        try:
            report(args, url, video)
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def report(args: argparse.Namespace, url: str, video: bytes) -> None:
    load_before = os.getloadavg()
    run_id = secrets.token_hex(2)
    clients = [Client(url, f"load-{run_id}-{i}", video) for i in range(args.clients)]

    def parallel(fn_name: str, *fn_args: object) -> None:
        threads = [threading.Thread(target=getattr(c, fn_name), args=fn_args) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    t0 = time.monotonic()
    parallel("sign_up")
    parallel("upload")  # one analysis each to read during the run
    warm = {}
    for c in clients:
        warm.update(c.wait_jobs(time.monotonic() + args.drain))
        found = [j for j in warm.values() if j.get("analysis_uid") and j["id"] in c.jobs]
        c.analysis = str(found[0]["analysis_uid"]) if found else None
    print(
        f"{args.clients} clients signed up and each analysed one {len(video) / 1024:.0f} KB clip"
        f" in {time.monotonic() - t0:.1f} s (queue of {args.clients} jobs, {args.workers} analysis workers)"
    )

    until = time.monotonic() + args.seconds
    threads = [
        threading.Thread(target=c.run, args=(until, args.uploads, random.Random(i)))
        for i, c in enumerate(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    load_during = os.getloadavg()

    drain_start = time.monotonic()
    final: dict[str, dict[str, object]] = {}
    deadline = drain_start + args.drain
    for c in clients:
        final.update(c.wait_jobs(deadline))
    drained = time.monotonic() - drain_start

    print(f"\ntimed run: {args.seconds:.0f} s, {args.clients} clients")
    print(f"{'kind':<8} {'requests':>8} {'p50 ms':>8} {'p99 ms':>8}")
    kinds: dict[str, list[float]] = defaultdict(list)
    for c in clients:
        for k, v in c.times.items():
            kinds[k].extend(v)
    for k in ("signup", "login", "report", "list", "upload"):
        v = kinds.get(k, [])
        print(f"{k:<8} {len(v):>8} {pct(v, 50):>8.1f} {pct(v, 99):>8.1f}")
    errors = [e for c in clients for e in c.errors]
    print(f"errors: {len(errors)}")
    for e in errors[:10]:
        print(f"  {e}")

    uploads = sum(len(c.jobs) for c in clients)
    problems = []
    for c in clients:
        stored = c.http.get("/api/analyses").json()
        mine = [final.get(j) for j in c.jobs]
        if any(j is None or j["status"] != "done" for j in mine):
            problems.append(f"{c.name}: jobs not done: {[j and j['status'] for j in mine]}")
        uids = {str(j["analysis_uid"]) for j in mine if j is not None and j.get("analysis_uid")}
        if len(stored) != len(c.jobs) or {a["uid"] for a in stored} != uids:
            problems.append(f"{c.name}: {len(c.jobs)} uploads, {len(stored)} stored analyses")
    print(
        f"uploads: {uploads}; queue drained {drained:.1f} s after the run;"
        f" every upload produced exactly one stored analysis: {'yes' if not problems else 'NO'}"
    )
    for p in problems:
        print(f"  {p}")
    print(
        f"load average (1 min) before {load_before[0]:.2f}, after the timed run {load_during[0]:.2f},"
        f" now {os.getloadavg()[0]:.2f}; {os.cpu_count()} CPUs"
    )
    if errors or problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
