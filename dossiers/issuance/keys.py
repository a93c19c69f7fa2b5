"""The signing keys of the issuing bodies, dated like their issuer configuration (``issuers.py``): a YAML file
outside the repository (``CFC_SIGNING_KEYS``, else ``signing/keys.yaml`` in the instance folder), for example

```yaml
timestamp_url: https://tsa.example.vn   # optional: signatures get a timestamp (PAdES B-T), else B-B
trust:
  roots: [/etc/cfc/root-ca.pem]          # certificates a signature must chain to (PEM or DER)
  crls: [/etc/cfc/ca.crl]                # optional: revocation lists of those authorities
keys:
  - unit: "62"                           # the issuing unit's official code
    body: decision                       # decisions and certificates; `minutes`: the appraisal panel's minutes
    effective_from: 2025-07-01
    effective_to: null
    pkcs12: /etc/cfc/ubnd-62.p12
    passphrase_env: CFC_KEY_62           # or passphrase_file: /etc/cfc/ubnd-62.pass
  - unit: "62"
    body: decision
    effective_from: 2026-01-01
    pkcs11: {module: /usr/lib/x86_64-linux-gnu/libsofthsm2.so, slot: 0, key_label: "UBND tinh", pin_env: CFC_PIN}
```

Relative paths are read from the file's folder. Every problem is reported as ``file: keys[i].field: message``;
a secret (PKCS#12 file, passphrase file) inside the repository is refused. ``open_key`` loads one key (its
passphrase asked of ``secret``, a function from an environment variable's name to its value).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import pydantic
from pydantic import ValidationError, model_validator

from engine.errors import CfcError
from engine.models import Strict

REPOSITORY = Path(__file__).resolve().parents[2]
# the default instance folder lies in the checkout but git ignores it (.gitignore): `make demo` keeps its demo
# keys there, and nothing in it can be committed by mistake
IGNORED_INSTANCE = REPOSITORY / "instance"
File = Annotated[Path, pydantic.Strict(False)]  # a path, written as text in the file


class SigningConfigError(CfcError):
    """The signing configuration is invalid or a key cannot be opened; the message names the file and field."""


class Pkcs11Spec(Strict):
    module: File
    slot: int | None = None
    token_label: str | None = None
    key_label: str
    cert_label: str | None = None
    pin_env: str | None = None
    pin_file: File | None = None
    # hash here and have the token sign the digest (CKM_ECDSA, CKM_RSA_PKCS): what every token offers (SoftHSM
    # has no CKM_ECDSA_SHA256); false asks the token for the combined mechanism
    raw_mechanism: bool = True


class KeyEntry(Strict):
    unit: str
    body: Literal["decision", "minutes"] = "decision"
    effective_from: dt.date
    effective_to: dt.date | None = None
    pkcs12: File | None = None
    passphrase_env: str | None = None
    passphrase_file: File | None = None
    pkcs11: Pkcs11Spec | None = None

    @model_validator(mode="after")
    def _one_key(self) -> KeyEntry:
        if (self.pkcs12 is None) == (self.pkcs11 is None):
            raise ValueError("give either pkcs12 (a file) or pkcs11 (a token), not both, not neither")
        if self.pkcs12 is not None and (self.passphrase_env is None) == (self.passphrase_file is None):
            raise ValueError("a pkcs12 file needs passphrase_env or passphrase_file (one of them)")
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        return self

    def covers(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    @property
    def where(self) -> str:
        return str(self.pkcs12) if self.pkcs12 else f"pkcs11:{self.pkcs11.module}:{self.pkcs11.key_label}"


class TrustSpec(Strict):
    roots: list[File]
    crls: list[File] = []


class KeysConfig(Strict):
    demo: bool = False  # the demo's own authority: its signatures prove nothing
    timestamp_url: str | None = None
    trust: TrustSpec
    keys: list[KeyEntry] = []

    def key_for(self, unit: str, body: str, day: dt.date) -> KeyEntry | None:
        """The key of ``unit`` for ``body`` documents dated ``day`` (the latest that started, if several)."""
        found = [k for k in self.keys if k.unit == unit and k.body == body and k.covers(day)]
        return max(found, key=lambda k: k.effective_from) if found else None


def load_keys(path: Path) -> KeysConfig:
    """The configuration in ``path``; paths made absolute; every problem named by file and field."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        raw = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
        config = KeysConfig.model_validate(raw)
    except OSError as exc:
        raise SigningConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except YAMLError as exc:
        raise SigningConfigError(f"{path}: not valid YAML: {exc}") from None
    except ValidationError as exc:
        lines = [f"{path}: {'.'.join(_loc(e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise SigningConfigError("\n".join(lines)) from None
    base = path.resolve().parent
    problems = []
    trust = TrustSpec(roots=[_absolute(base, p) for p in config.trust.roots],
                      crls=[_absolute(base, p) for p in config.trust.crls])
    problems += [f"{path}: trust.roots[{i}]: no such file {p}" for i, p in enumerate(trust.roots) if not p.is_file()]
    problems += [f"{path}: trust.crls[{i}]: no such file {p}" for i, p in enumerate(trust.crls) if not p.is_file()]
    keys = []
    for i, key in enumerate(config.keys):
        changes: dict = {}
        for field in ("pkcs12", "passphrase_file"):
            value = getattr(key, field)
            if value is not None:
                changes[field] = _absolute(base, value)
                problems += _secret_problems(f"{path}: keys[{i}].{field}", changes[field])
        keys.append(key.model_copy(update=changes))
    if problems:
        raise SigningConfigError("\n".join(problems))
    return config.model_copy(update={"trust": trust, "keys": keys})


def _loc(parts) -> list[str]:
    out: list[str] = []
    for part in parts:
        if isinstance(part, int) and out:
            out[-1] += f"[{part}]"
        else:
            out.append(str(part))
    return out


def _absolute(base: Path, path: Path) -> Path:
    return path if path.is_absolute() else (base / path).resolve()


def _secret_problems(where: str, path: Path) -> list[str]:
    if not path.is_file():
        return [f"{where}: no such file {path}"]
    inside = path.resolve().is_relative_to(REPOSITORY) and not path.resolve().is_relative_to(IGNORED_INSTANCE)
    if inside and (REPOSITORY / ".git").exists():
        return [f"{where}: {path} is inside the repository {REPOSITORY}; keep keys and passphrases outside it"]
    return []


@dataclass(frozen=True)
class OpenKey:
    """A key ready to sign: pyHanko's signer, its certificate (``cryptography``) and where it came from."""

    signer: object
    certificate: object
    where: str
    session: object = None  # a token's PKCS#11 session, logged in: closed by ``close``

    def close(self) -> None:
        """Log out of the token (a PKCS#12 key holds nothing open)."""
        if self.session is not None:
            self.session.close()

    def __enter__(self) -> OpenKey:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def open_key(path: Path, index: int, entry: KeyEntry, secret) -> OpenKey:
    """Open ``entry`` (``keys[index]`` of ``path``): read the PKCS#12 file with its passphrase, or open the
    token's session with its PIN."""
    where = f"{path}: keys[{index}]"
    if entry.pkcs11 is not None:
        return _open_pkcs11(where, entry.pkcs11, secret)
    passphrase = _secret(where, "passphrase", entry.passphrase_env, entry.passphrase_file, secret)
    return open_pkcs12(where, entry.pkcs12, passphrase)


def _secret(where: str, what: str, env: str | None, file: Path | None, secret) -> str | None:
    if env:
        value = secret(env)
        if value is None:
            raise SigningConfigError(f"{where}.{what}_env: the environment variable {env} is not set")
        return value
    if file:
        try:
            return file.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise SigningConfigError(f"{where}.{what}_file: cannot read {file}: {exc.strerror}") from None
    return None


def open_pkcs12(where: str, file: Path, passphrase: str | None) -> OpenKey:
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
    from pyhanko.sign.signers import SimpleSigner

    try:
        data = file.read_bytes()
        key, cert, chain = pkcs12.load_key_and_certificates(data, passphrase.encode() if passphrase else None)
    except OSError as exc:
        raise SigningConfigError(f"{where}.pkcs12: cannot read {file}: {exc.strerror}") from None
    except ValueError:
        raise SigningConfigError(f"{where}.pkcs12: {file} cannot be opened: wrong passphrase or not a PKCS#12 "
                                 "file") from None
    if key is None or cert is None:
        raise SigningConfigError(f"{where}.pkcs12: {file} holds no private key with its certificate")
    from asn1crypto import x509 as asn1_x509

    others = [asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in chain or []]
    signer = SimpleSigner.load_pkcs12_data(data, other_certs=others,
                                           passphrase=passphrase.encode() if passphrase else None)
    return OpenKey(signer, cert, str(file))


def _open_pkcs11(where: str, spec: Pkcs11Spec, secret) -> OpenKey:
    from cryptography import x509
    from pyhanko.sign.pkcs11 import PKCS11Signer, TokenCriteria, open_pkcs11_session

    pin = _secret(where, "pkcs11.pin", spec.pin_env, spec.pin_file, secret)
    try:
        session = open_pkcs11_session(str(spec.module), slot_no=spec.slot,
                                      token_criteria=TokenCriteria(label=spec.token_label) if spec.token_label
                                      else None, user_pin=pin)
        signer = PKCS11Signer(session, key_label=spec.key_label, cert_label=spec.cert_label or spec.key_label,
                              use_raw_mechanism=spec.raw_mechanism)
        cert = x509.load_der_x509_certificate(signer.signing_cert.dump())
    except Exception as exc:
        if "session" in locals():
            session.close()  # the token library's own errors: no such module, slot, label or a wrong PIN
        raise SigningConfigError(f"{where}.pkcs11: {spec.module} slot {spec.slot} key {spec.key_label!r}: "
                                 f"{type(exc).__name__}: {exc}") from None
    return OpenKey(signer, cert, f"pkcs11:{spec.module}:{spec.key_label}", session)
