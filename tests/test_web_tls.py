"""`midline serve --https`: a self-signed certificate for this machine's names and LAN addresses,
made once in the data folder and reused on restart; a real TLS server answers with it."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import socket
import ssl
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from websockets.sync.client import connect

from midline.web import tls


def _sans(path: Path) -> tuple[set[str], set[str]]:
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return set(san.get_values_for_type(x509.DNSName)), {
        str(a) for a in san.get_values_for_type(x509.IPAddress)
    }


def test_the_certificate_names_localhost_the_host_and_its_lan_addresses(tmp_path: Path) -> None:
    cert = tls.ensure_certificate(tmp_path, ["studio.example", "10.9.8.7"])
    dns, ips = _sans(cert.cert_path)
    host = socket.gethostname().lower()
    assert {"localhost", host, "studio.example"} <= dns
    assert {"127.0.0.1", "::1", "10.9.8.7"} <= ips
    assert {str(a) for a in tls.lan_addresses()} <= ips  # every address a tablet could use
    assert all(not ipaddress.ip_address(a).is_unspecified for a in ips)
    parsed = x509.load_pem_x509_certificate(cert.cert_path.read_bytes())
    assert cert.fingerprint == parsed.fingerprint(hashes.SHA256()).hex(":").upper()
    usage = parsed.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert x509.oid.ExtendedKeyUsageOID.SERVER_AUTH in usage
    assert stat.S_IMODE(os.stat(cert.key_path).st_mode) == 0o600  # the private key is private


def test_a_restart_reuses_the_certificate(tmp_path: Path) -> None:
    first = tls.ensure_certificate(tmp_path)
    again = tls.ensure_certificate(tmp_path)
    assert first.created and not again.created
    assert again.fingerprint == first.fingerprint
    assert again.cert_path.read_bytes() == first.cert_path.read_bytes()


def test_a_new_name_or_the_end_of_validity_makes_a_new_one_keeping_old_names(tmp_path: Path) -> None:
    first = tls.ensure_certificate(tmp_path, ["192.168.50.2"])
    moved = tls.ensure_certificate(tmp_path, ["192.168.77.3"])  # the laptop joined another network
    assert moved.created and moved.fingerprint != first.fingerprint
    assert {"192.168.50.2", "192.168.77.3"} <= _sans(moved.cert_path)[1]
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=tls.VALID_DAYS - 10)
    renewed = tls.ensure_certificate(tmp_path, ["192.168.77.3"], now=later)
    assert renewed.created and renewed.fingerprint != moved.fingerprint


def test_an_unreadable_certificate_is_replaced(tmp_path: Path) -> None:
    (tmp_path / "tls").mkdir()
    (tmp_path / "tls" / "cert.pem").write_text("not a certificate")
    (tmp_path / "tls" / "key.pem").write_text("not a key")
    made = tls.ensure_certificate(tmp_path)
    assert made.created and "localhost" in _sans(made.cert_path)[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_https_answers_over_tls_with_a_secure_cookie(tmp_path: Path) -> None:
    port = _free_port()
    data = tmp_path / "data"
    code = "from midline.cli.app import main; import sys; sys.argv = ['midline', *sys.argv[1:]]; main()"
    args = ["serve", "--https", "--port", str(port), "--db", str(tmp_path / "s.db"), "--data-dir", str(data)]
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        banner = [proc.stdout.readline() for _ in range(4)]
        assert f"https://localhost:{port}/" in "".join(banner)
        context = ssl.create_default_context(cafile=str(data / "tls" / "cert.pem"))
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.post(
                    f"https://localhost:{port}/api/signup",
                    json={"username": "ada", "password": "correct horse"},
                    verify=context,
                    timeout=5,
                )
                break
            except httpx.ConnectError:
                assert proc.poll() is None, "the server exited"
                assert time.monotonic() < deadline, "the server did not start in 60 s"
                time.sleep(0.2)
        assert r.status_code == 201, r.text
        cookie = r.headers["set-cookie"].lower()
        assert "secure" in cookie and "httponly" in cookie
        fingerprint = tls.ensure_certificate(data).fingerprint
        assert fingerprint in "".join(banner)  # what the user checks in the browser's warning

        # /live's socket over TLS (wss://), as a tablet's browser opens it
        session = r.headers["set-cookie"].split(";", 1)[0]
        origin = f"https://localhost:{port}"
        headers = {"Cookie": session, "Origin": origin}
        with connect(f"wss://localhost:{port}/live/ws", ssl=context, additional_headers=headers) as ws:
            ws.send(json.dumps({"exercise": "standing-squeeze"}))
            assert json.loads(ws.recv(timeout=60))["type"] == "ready"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
