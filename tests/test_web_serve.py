"""`midline serve` starts a real server (uvicorn) that answers pages and the API."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_on_the_given_port(tmp_path: Path) -> None:
    port = _free_port()
    cmd = [
        sys.executable, "-m", "midline.cli.app", "serve", "--port", str(port),
        "--db", str(tmp_path / "serve.db"), "--data-dir", str(tmp_path / "data"),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    code = "from midline.cli.app import main; import sys; sys.argv = ['midline', *sys.argv[1:]]; main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *cmd[3:]], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/exercises/clamshell", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, "the server exited"
                assert time.monotonic() < deadline, "the server did not start in 60 s"
                time.sleep(0.2)
        assert r.status_code == 200 and r.json()["id"] == "clamshell"
        assert httpx.get(f"http://127.0.0.1:{port}/login").status_code == 200
        assert (tmp_path / "data" / "secret_key").is_file()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_serve_runs_the_number_of_analysis_workers_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn
    from typer.testing import CliRunner

    import midline.cli.serve_cmd  # noqa: F401  (registers the command on the app)
    from midline.cli.app import app

    served: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda web_app, **kw: served.append(web_app))
    args = ["serve", "--db", str(tmp_path / "s.db"), "--data-dir", str(tmp_path / "data")]
    result = CliRunner().invoke(app, [*args, "--workers", "3"])
    assert result.exit_code == 0, result.output
    assert served[0].state.web.jobs.workers == 3  # type: ignore[attr-defined]
    default = CliRunner().invoke(app, args)
    assert default.exit_code == 0 and served[1].state.web.jobs.workers == 2  # type: ignore[attr-defined]
    refused = CliRunner().invoke(app, [*args, "--workers", "0"])
    assert refused.exit_code == 2 and len(served) == 2
