"""Configuration in one place: the environment, the instance folder and the settings table.

``Settings.from_env()`` is the only reader of ``os.environ`` in the project. ``create_app(settings)`` and every
``cfc`` command take the object it builds; the rest of the code receives plain values from it.

| variable | field | default |
|---|---|---|
| ``CFC_INSTANCE_DIR`` | ``instance_dir`` | ``./instance`` (the SQLite file, evidence, documents, secret key) |
| ``DATABASE_URL`` | ``database_url`` | SQLite in the instance folder |
| ``CFC_CRITERIA_DIR`` | ``criteria_dir`` | the criteria shipped in ``criteria/`` |
| ``CFC_PROCEDURES_DIR`` | ``procedures_dir`` | the dated procedures shipped in ``criteria/procedures/`` (who does what) |
| ``CFC_ENGINE`` | ``engine`` | ``durable`` (durable-rules checked by the evaluator); ``python``: evaluator alone |
| ``CFC_MAX_UPLOAD_MB`` | ``max_upload_mb`` | 10 |
| ``CFC_IMPORT_WORKERS`` | ``import_workers`` | one per CPU, at most 4 (for files of 300 rows or more) |
| ``CFC_SECRET_KEY`` | ``secret_key`` | generated once into the instance folder |
| ``CFC_BASE_URL`` | ``base_url`` | the setting ``public_base_url`` of the settings table |
| ``CFC_USER`` | ``user`` | who acts on the command line when ``--as`` is not given |
| ``CFC_SESSION_IDLE_MINUTES`` | ``session_idle_minutes`` | 120: a web session unused this long ends |
| ``CFC_SESSION_LIFETIME_HOURS`` | ``session_lifetime_hours`` | 12: a web session ends this long after sign-in |
| ``CFC_RATELIMIT_STORAGE`` | ``ratelimit_storage`` | ``memory://`` (each worker counts alone); ``redis://HOST`` shares |
| ``CFC_LOGIN_RATE_LIMIT`` | ``login_rate_limit`` | ``30/minute;300/hour`` failed sign-ins (password or API token) per address |
| ``CFC_VERIFY_RATE_LIMIT`` | ``verify_rate_limit`` | ``30/minute;300/hour`` verification pages per address |
| ``CFC_TRUSTED_PROXIES`` | ``trusted_proxies`` | 0: how many reverse proxies in front of the app to believe about the client's address and https (``X-Forwarded-For``/``-Proto``) |
| ``CFC_SIGNING_KEYS`` | ``signing_keys`` | ``signing/keys.yaml`` in the instance folder when it exists: the issuing bodies' signing keys |

The settings table (``settings`` rows: ``public_base_url``, ``allow_sample_documents``) is read through
``stored(session)``.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import CfcError
from engine.loader import Registry
from engine.messages import N_
from engine.workflow import Procedure, load_procedures

from .models import Setting

VARIABLES = {
    "instance_dir": "CFC_INSTANCE_DIR",
    "database_url": "DATABASE_URL",
    "criteria_dir": "CFC_CRITERIA_DIR",
    "procedures_dir": "CFC_PROCEDURES_DIR",
    "engine": "CFC_ENGINE",
    "max_upload_mb": "CFC_MAX_UPLOAD_MB",
    "import_workers": "CFC_IMPORT_WORKERS",
    "secret_key": "CFC_SECRET_KEY",
    "base_url": "CFC_BASE_URL",
    "user": "CFC_USER",
    "session_idle_minutes": "CFC_SESSION_IDLE_MINUTES",
    "session_lifetime_hours": "CFC_SESSION_LIFETIME_HOURS",
    "ratelimit_storage": "CFC_RATELIMIT_STORAGE",
    "login_rate_limit": "CFC_LOGIN_RATE_LIMIT",
    "verify_rate_limit": "CFC_VERIFY_RATE_LIMIT",
    "trusted_proxies": "CFC_TRUSTED_PROXIES",
    "signing_keys": "CFC_SIGNING_KEYS",
}


class ConfigError(CfcError):
    """A configuration value is invalid; the message names the environment variable."""


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    instance_dir: Path
    database_url: str
    criteria_dir: Path | None = None
    procedures_dir: Path | None = None
    engine: Literal["durable", "python"] = "durable"
    max_upload_mb: float = Field(10.0, gt=0, le=10_000, allow_inf_nan=False)
    import_workers: int | None = Field(None, ge=0, le=64)
    secret_key: str | None = None
    base_url: str | None = None
    user: str | None = None
    session_idle_minutes: int = Field(120, ge=1, le=7 * 24 * 60)
    session_lifetime_hours: float = Field(12.0, gt=0, le=30 * 24, allow_inf_nan=False)
    ratelimit_storage: str = Field("memory://", pattern=r"^[a-z+-]+://")
    login_rate_limit: str = "30/minute;300/hour"
    verify_rate_limit: str = "30/minute;300/hour"
    trusted_proxies: int = Field(0, ge=0, le=10)
    signing_keys: Path | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> Settings:
        """The settings of this process: ``environ`` (default ``os.environ``), then ``overrides``."""
        env = os.environ if environ is None else environ
        raw: dict = {field: env[name].strip() for field, name in VARIABLES.items() if env.get(name, "").strip()}
        raw.update({k: v for k, v in overrides.items() if v is not None})
        instance = Path(raw.pop("instance_dir", "instance")).resolve()
        raw["database_url"] = normalise_url(raw.get("database_url") or f"sqlite:///{instance / 'cfc.sqlite3'}")
        if "engine" in raw:
            raw["engine"] = str(raw["engine"]).lower()
        try:
            return cls(instance_dir=instance, **raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = str(first["loc"][0])
            name = VARIABLES.get(field, field)
            raise ConfigError(f"{name}={raw.get(field)!r}: {_explain(field, first['msg'])}") from None

    @field_validator("login_rate_limit", "verify_rate_limit")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        from limits import parse_many

        parse_many(value)  # a ValueError when it is not a rate limit
        return value

    def signing_keys_file(self) -> Path | None:
        """The signing key configuration: ``CFC_SIGNING_KEYS``, else ``signing/keys.yaml`` in the instance
        folder when it exists (the demo's), else none (documents stay unsigned)."""
        if self.signing_keys is not None:
            return self.signing_keys
        default = self.instance_dir / "signing" / "keys.yaml"
        return default if default.is_file() else None

    @staticmethod
    def environment_secret(name: str) -> str | None:
        """The value of the environment variable ``name`` that a configuration file names for a secret (a
        signing key's passphrase, a token's PIN), read when it is needed."""
        return os.environ.get(name)

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    def instance(self) -> Path:
        """The instance folder, created when missing."""
        self.instance_dir.mkdir(parents=True, exist_ok=True)
        return self.instance_dir

    def registry(self) -> Registry:
        """The criteria versions of this deployment."""
        return Registry.load(self.criteria_dir)

    def procedures(self) -> list[Procedure]:
        """The dated procedures of this deployment: who performs each action, and when."""
        return load_procedures(self.procedures_dir)

    def secret(self) -> str:
        """``CFC_SECRET_KEY``, else a key generated once into the instance folder (shared by every worker)."""
        return self.secret_key or _instance_secret(self.instance() / "secret_key")


def _explain(field: str, message: str) -> str:
    hints = {
        "engine": "use 'durable' (default) or 'python'",
        "max_upload_mb": "a number of megabytes above 0 and at most 10000, e.g. 10",
        "import_workers": "a whole number of worker processes from 0 (score in this process) to 64",
        "session_idle_minutes": "a whole number of minutes from 1 to 10080 (a week), e.g. 120",
        "session_lifetime_hours": "a number of hours above 0 and at most 720, e.g. 12",
        "ratelimit_storage": "a storage URI of the 'limits' library: memory:// (default) or redis://HOST:6379",
        "login_rate_limit": "rate limits such as '30/minute;300/hour' (failed sign-ins per address)",
        "verify_rate_limit": "rate limits such as '30/minute;300/hour' (verification pages per address)",
        "trusted_proxies": "a whole number of reverse proxies in front of the app, from 0 (none) to 10",
    }
    return hints.get(field, message)


def normalise_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` go through psycopg 3; other URLs are kept."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _instance_secret(path: Path) -> str:
    try:  # exclusive create: worker processes starting together agree on one key
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(secrets.token_hex(32))
    for _ in range(50):  # another process may be between creating and writing it
        key = path.read_text(encoding="utf-8").strip()
        if key:
            return key
        time.sleep(0.01)
    raise ConfigError(f"{path} is empty")


def stored(session: Session) -> dict[str, object]:
    """The settings table as a dict (``public_base_url``, ``allow_sample_documents``, …)."""
    return {row.key: row.value for row in session.execute(select(Setting)).scalars()}


def public_base_url(settings: Settings, session: Session, option: str | None = None) -> str:
    """Where certificates are verified, one rule for the web and the commands: ``option`` (``--base-url``, the
    commands only), else ``CFC_BASE_URL``, else the stored setting ``public_base_url``. None of them: a
    ConfigError naming them (nothing falls back to a local address: the URL goes into every QR code)."""
    url = option or settings.base_url or stored(session).get("public_base_url")
    if not url:
        raise ConfigError(N_("chưa có địa chỉ công khai để kiểm tra giấy công nhận (mã QR ghi URL/verify/SỐ-HIỆU): "
                             "đặt --base-url URL (dòng lệnh), biến môi trường CFC_BASE_URL hoặc thiết lập "
                             "public_base_url"))
    return str(url)
