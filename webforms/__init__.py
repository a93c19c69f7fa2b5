"""Flask + WTForms pages for every role (commune, district panel, province, rules admin) and the JSON API.

Thin over ``engine``: each view loads, checks role and jurisdiction (through the dossier service, which
checks them again), calls one engine function, and renders or redirects. Nothing happens at import time:
``create_app`` builds everything.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from flask import Flask

from . import auth, db, errors, filters, i18n


def _secret_key(instance: Path) -> str:
    env = os.environ.get("CFC_SECRET_KEY")
    if env:
        return env
    path = instance / "secret_key"
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
    raise RuntimeError(f"{path} is empty")


def create_app(test_config: dict | None = None) -> Flask:
    from engine.store.db import instance_dir
    from engine.store.evidence import max_bytes

    instance = instance_dir()
    app = Flask(__name__, instance_path=str(instance), instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY=_secret_key(instance),
        DATABASE_URL=None,  # None: engine.store.db decides from DATABASE_URL / CFC_INSTANCE_DIR
        MAX_CONTENT_LENGTH=max_bytes() + 64 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        BABEL_DEFAULT_LOCALE="vi",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        PUBLIC_BASE_URL=os.environ.get("CFC_BASE_URL", "http://127.0.0.1:5000"),
    )
    if test_config:
        app.config.update(test_config)

    db.init_app(app)
    filters.init_app(app)
    auth.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)

    from .admin.views import bp as admin_bp
    from .api.views import bp as api_bp
    from .bulk.views import bp as bulk_bp
    from .commune.views import bp as commune_bp
    from .district.views import bp as district_bp
    from .documents import bp as documents_bp
    from .dossiers import bp as dossiers_bp
    from .province.views import bp as province_bp

    for bp in (auth.bp, dossiers_bp, documents_bp, commune_bp, district_bp, province_bp, admin_bp, bulk_bp,
               api_bp):
        app.register_blueprint(bp)
    auth.csrf.exempt(api_bp)  # the API authenticates each request with a bearer token, not a cookie
    return app
