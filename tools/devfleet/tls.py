"""A self-signed certificate for a local TLS gateway (make dev TLS=1), made with the openssl command."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from .errors import FleetError
from .processes import find_binary, make_dirs, run_checked, say

DAYS = 30
#: Names a client on this machine uses for the gateway; the certificate is valid for each.
SUBJECT_ALT_NAMES = "DNS:localhost,IP:127.0.0.1,IP:::1"


def self_signed_pair(directory: Path) -> tuple[Path, Path]:
    """<directory>/cert.pem and key.pem (ECDSA P-256), made once and again when less than a day is left.

    Clients trust it by pointing at cert.pem: `curl --cacert var/dev/tls/cert.pem https://127.0.0.1:8443/...`.
    """
    openssl = find_binary("openssl")
    if not openssl:
        raise FleetError("openssl is not installed (Debian: apt-get install -y openssl)")
    cert, key = directory / "cert.pem", directory / "key.pem"
    if cert.exists() and key.exists() and _valid_for_a_day(openssl, cert):
        return cert, key
    make_dirs(directory, 0o700)
    run_checked([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                 "-keyout", str(key), "-out", str(cert), "-days", str(DAYS), "-subj", "/CN=localhost",
                 "-addext", f"subjectAltName={SUBJECT_ALT_NAMES}"],
                what="openssl req (self-signed gateway certificate)")
    os.chmod(key, 0o600)
    say(f"tls: self-signed certificate for {SUBJECT_ALT_NAMES} in {cert} (valid {DAYS} days)")
    return cert, key


def _valid_for_a_day(openssl: str, cert: Path) -> bool:
    result = subprocess.run([openssl, "x509", "-checkend", "86400", "-noout", "-in", str(cert)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return result.returncode == 0
