"""`midline serve` started on a free loopback port for a benchmark (temp SQLite and data folder)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(root: Path, workers: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """The real app in a subprocess, its database and uploads under ``root``; its base URL once it answers.

    ``workers``: analysis workers (``serve --workers``); None keeps the app's default.
    """
    port = free_port()
    cmd = [
        sys.executable, "-c", "from midline.cli.app import main; main()", "serve",
        "--host", "127.0.0.1", "--port", str(port),
        "--db", str(root / "web.db"), "--data-dir", str(root / "data"),
    ]  # fmt: skip
    if workers is not None:
        cmd += ["--workers", str(workers)]
    log = (root / "server.log").open("wb")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    end = time.monotonic() + 60
    while time.monotonic() < end:
        if proc.poll() is not None:
            sys.exit(f"midline serve exited:\n{(root / 'server.log').read_text()}")
        try:
            if httpx.get(url + "/login", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    sys.exit("midline serve did not answer within 60 s")
