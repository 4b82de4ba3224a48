"""A self-signed certificate for serving the web app over HTTPS on a local network.

Browsers give the camera (``/live``) only to ``localhost`` or HTTPS pages, so a studio's tablet
needs HTTPS to reach a laptop's ``midline serve``. :func:`ensure_certificate` makes a key and a
certificate once, in ``data_dir/tls/``, naming localhost, this machine's host name and its LAN
addresses; a restart reuses them (the tablet keeps the exception it was given) unless a name the
server now answers to is missing or the certificate is about to expire.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from midline.errors import MidlineError

VALID_DAYS = 825
"""The longest validity Apple's devices accept for a TLS server certificate."""
RENEW_DAYS = 30
"""A certificate closer than this to its end is made anew on start."""
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class CertificateError(MidlineError):
    """The certificate files in the data folder cannot be read or written."""


@dataclass(frozen=True)
class Certificate:
    cert_path: Path
    key_path: Path
    fingerprint: str
    """SHA-256 of the certificate (colon-separated hex), to compare with what a browser shows."""
    dns_names: tuple[str, ...]
    ip_addresses: tuple[str, ...]
    created: bool
    """True when this call made it, False when an existing one was reused."""


def lan_addresses() -> list[IPAddress]:
    """This machine's non-loopback addresses: the one its default route uses and those its host
    name resolves to (no packet is sent; a machine without a network has none)."""
    found: list[IPAddress] = []
    for family, probe in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        with contextlib.suppress(OSError), socket.socket(family, socket.SOCK_DGRAM) as s:
            s.connect((probe, 9))  # UDP connect only picks the route's source address
            found.append(ipaddress.ip_address(s.getsockname()[0].split("%")[0]))
    with contextlib.suppress(OSError):
        for info in socket.getaddrinfo(socket.gethostname(), None):
            with contextlib.suppress(ValueError):
                found.append(ipaddress.ip_address(str(info[4][0]).split("%")[0]))
    usable = [a for a in found if not (a.is_loopback or a.is_link_local or a.is_unspecified)]
    return list(dict.fromkeys(usable))


def wanted_names(extra: Iterable[str] = ()) -> tuple[list[str], list[IPAddress]]:
    """The DNS names and addresses the certificate must cover: localhost, the host name (and its
    ``.local`` mDNS name), the LAN addresses and any ``extra`` host or address."""
    dns = ["localhost"]
    host = socket.gethostname().strip().lower()
    if host and host != "localhost":
        dns += [host] if host.endswith(".local") or "." in host else [host, f"{host}.local"]
    ips: list[IPAddress] = [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")]
    ips += lan_addresses()
    for name in extra:
        try:
            address = ipaddress.ip_address(name)
        except ValueError:
            if name:
                dns.append(name.lower())
        else:
            if not address.is_unspecified:
                ips.append(address)
    return list(dict.fromkeys(dns)), list(dict.fromkeys(ips))


def _fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def _names(cert: x509.Certificate) -> tuple[list[str], list[IPAddress]]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return [], []
    ips = [a for a in san.get_values_for_type(x509.IPAddress) if isinstance(a, IPAddress)]
    return san.get_values_for_type(x509.DNSName), ips


def _usable(cert: x509.Certificate, dns: list[str], ips: list[IPAddress], now: dt.datetime) -> bool:
    have_dns, have_ips = _names(cert)
    covers = set(dns) <= set(have_dns) and set(ips) <= set(have_ips)
    return covers and cert.not_valid_after_utc - now > dt.timedelta(days=RENEW_DAYS)


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def make_certificate(
    dns: list[str], ips: list[IPAddress], now: dt.datetime
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A self-signed server certificate (ECDSA P-256) for these names, valid from yesterday."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, f"midline on {dns[-1] if dns else 'localhost'}")]
    )
    san = [x509.DNSName(d) for d in dns] + [x509.IPAddress(a) for a in ips]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(san), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def ensure_certificate(
    data_dir: Path, extra_names: Iterable[str] = (), now: dt.datetime | None = None
) -> Certificate:
    """The certificate in ``data_dir/tls/`` (made when absent, not covering every wanted name, or
    within :data:`RENEW_DAYS` of its end; reused otherwise)."""
    now = now or dt.datetime.now(dt.UTC)
    folder = data_dir / "tls"
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    dns, ips = wanted_names(extra_names)
    try:
        if cert_path.is_file() and key_path.is_file():
            cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
            serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            if _usable(cert, dns, ips, now):
                have_dns, have_ips = _names(cert)
                return Certificate(
                    cert_path,
                    key_path,
                    _fingerprint(cert),
                    tuple(have_dns),
                    tuple(str(a) for a in have_ips),
                    created=False,
                )
            old_dns, old_ips = _names(cert)  # keep names it had (another network the laptop joins)
            dns = list(dict.fromkeys(dns + old_dns))
            ips = list(dict.fromkeys(ips + old_ips))
    except (OSError, ValueError, TypeError):
        pass  # unreadable or not a certificate: make a new one below
    cert, key = make_certificate(dns, ips, now)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write_private(key_path, key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ))  # fmt: skip
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    except OSError as exc:
        raise CertificateError(f"cannot write the TLS certificate in {folder}: {exc}") from exc
    return Certificate(
        cert_path, key_path, _fingerprint(cert), tuple(dns), tuple(str(a) for a in ips), created=True
    )


def announce(cert: Certificate, host: str, port: int) -> str:
    """What ``midline serve --https`` prints: the addresses to open and the fingerprint to check."""
    if host in ("0.0.0.0", "::"):
        hosts = [h for h in cert.ip_addresses if ":" not in h and h != "127.0.0.1"]
        hosts += [d for d in cert.dns_names if d != "localhost"]
        hosts = ["localhost", *hosts]
    else:
        hosts = ["localhost" if host in ("127.0.0.1", "::1") else host]
    urls = "\n".join(f"  https://{h}:{port}/" for h in hosts)
    made = "made" if cert.created else "reused"
    lines = [
        f"midline on HTTPS (API docs at /docs); Ctrl-C stops it:\n{urls}",
        f"self-signed certificate ({made}: {cert.cert_path})",
        f"  SHA-256 fingerprint {cert.fingerprint}",
        "  a browser warns the first time: check the fingerprint it shows, then accept it",
    ]
    if host in ("127.0.0.1", "::1", "localhost"):
        lines.append(
            "  only this computer can connect: add --host 0.0.0.0 for tablets and phones on the network"
        )
    return "\n".join(lines)
