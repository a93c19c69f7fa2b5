"""A demo certificate authority (the ``cryptography`` package): a clearly labelled root ("CA DEMO — KHÔNG CÓ GIÁ
TRỊ PHÁP LÝ"), a PKCS#12 key per issuing body, and the ``keys.yaml`` that configures them, all written into a
folder of the instance (never into the repository). The demo loader and the tests use it; a real province uses
the keys its public digital-signature provider issued (README, "Digital signatures")."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

DEMO_LABEL = "CA DEMO — KHÔNG CÓ GIÁ TRỊ PHÁP LÝ"


def _name(common: str, organisation: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _usage(ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                         encipher_only=False, decipher_only=False)


@dataclass
class DemoAuthority:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @classmethod
    def create(cls, label: str = DEMO_LABEL, now: dt.datetime | None = None) -> DemoAuthority:
        now = now or dt.datetime.now(dt.UTC)
        key = ec.generate_private_key(ec.SECP256R1())
        name = _name(label, "cfc demo")
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(_usage(ca=True), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .sign(key, hashes.SHA256()))
        return cls(key, cert)

    def issue(self, common: str, not_before: dt.datetime, not_after: dt.datetime
              ) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        """A signing key and its certificate for ``common`` (an issuing body), valid between the two times."""
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder().subject_name(_name(common, DEMO_LABEL))
                .issuer_name(self.certificate.subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(not_before).not_valid_after(not_after)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(_usage(ca=False), critical=True)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                               critical=False)
                .sign(self.key, hashes.SHA256()))
        return key, cert

    def pkcs12(self, key, cert: x509.Certificate, passphrase: str) -> bytes:
        return pkcs12.serialize_key_and_certificates(
            b"cfc", key, cert, [self.certificate],
            serialization.BestAvailableEncryption(passphrase.encode()))

    def crl(self, revoked: list[tuple[x509.Certificate, dt.datetime]], now: dt.datetime | None = None) -> bytes:
        """A revocation list (PEM) naming ``revoked`` certificates with their revocation times."""
        now = now or dt.datetime.now(dt.UTC)
        builder = (x509.CertificateRevocationListBuilder().issuer_name(self.certificate.subject)
                   .last_update(now - dt.timedelta(minutes=1)).next_update(now + dt.timedelta(days=30)))
        for cert, when in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(cert.serial_number).revocation_date(when).build())
        return builder.sign(self.key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)

    def root_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def write_demo_keys(folder: Path, bodies: list[tuple[str, str, str, dt.date]], years: int = 5) -> Path:
    """A demo authority and one PKCS#12 key per ``(unit code, body kind, common name, effective_from)`` in
    ``folder`` (created, readable by the owner only), with their passphrases in files beside them; returns the
    ``keys.yaml`` written there."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    now = dt.datetime.now(dt.UTC)
    ca = DemoAuthority.create(now=now)
    (folder / "demo-root-ca.pem").write_bytes(ca.root_pem())
    lines = ["# DEMO signing keys, generated by `cfc demo load`: their signatures prove nothing.",
             "demo: true", "trust:", "  roots: [demo-root-ca.pem]", "keys:"]
    for unit, body, common, since in bodies:
        key, cert = ca.issue(f"{common} (DEMO)", now - dt.timedelta(days=1), now + dt.timedelta(days=365 * years))
        passphrase = secrets.token_urlsafe(18)
        stem = f"{body}-{unit}"
        (folder / f"{stem}.p12").write_bytes(ca.pkcs12(key, cert, passphrase))
        (folder / f"{stem}.pass").write_text(passphrase + "\n", encoding="utf-8")
        lines += [f'  - unit: "{unit}"', f"    body: {body}", f"    effective_from: {since.isoformat()}",
                  f"    pkcs12: {stem}.p12", f"    passphrase_file: {stem}.pass"]
    target = folder / "keys.yaml"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for path in folder.iterdir():
        path.chmod(0o600)
    return target
