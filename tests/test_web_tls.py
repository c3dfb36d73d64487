"""`voicebridge web` with [web] tls_cert_file/tls_key_file speaks HTTPS (HSTS, Secure cookies); a wrong path is one line."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import subprocess
import sys
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.web_server import start, write_config


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=1)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    key_file.chmod(0o600)
    return cert_file, key_file


def test_https_with_hsts_and_secure_cookies(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    web = start(tmp_path, web_extra=f'tls_cert_file = "{cert}"\ntls_key_file = "{key}"', seeded=False)
    try:
        base = web.base.replace("http://", "https://")
        response = httpx.get(base + "/login", verify=ssl.create_default_context(cafile=str(cert)))
        assert response.status_code == 200
        assert response.headers["strict-transport-security"].startswith("max-age=")
        assert "Secure" in response.headers["set-cookie"] and "HttpOnly" in response.headers["set-cookie"]
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        try:
            plain = httpx.get(web.base + "/login", timeout=5).status_code
        except httpx.HTTPError:
            plain = None
        assert plain != 200  # no plain-HTTP service on the HTTPS port
    finally:
        web.stop()


def test_missing_certificate_is_one_line(tmp_path: Path) -> None:
    config, _port = write_config(tmp_path, web_extra=f'tls_cert_file = "{tmp_path}/nope.pem"\ntls_key_file = "{tmp_path}/nope.key"')
    done = subprocess.run([sys.executable, "-m", "voicebridge", "--config", str(config), "web"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "web.tls_cert_file" in done.stderr and "not a readable file" in done.stderr
    half, _ = write_config(tmp_path, web_extra=f'tls_cert_file = "{tmp_path}/nope.pem"')
    done = subprocess.run([sys.executable, "-m", "voicebridge", "--config", str(half), "web"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "go together" in done.stderr


def test_web_refuses_a_database_others_can_read(tmp_path: Path) -> None:
    from tests.web_helpers import seed
    from voicebridge.config import load_config
    from voicebridge.web.app import build_context

    config, _port = write_config(tmp_path)
    seed(build_context(load_config(config)))
    (tmp_path / "calls.db").chmod(0o644)
    done = subprocess.run([sys.executable, "-m", "voicebridge", "--config", str(config), "web"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "can be read by other accounts" in done.stderr and "chmod 600" in done.stderr
