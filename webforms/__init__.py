"""Flask + WTForms pages for every role (commune, district panel, province, rules admin) and the JSON API.

Thin over ``engine``: each view loads, checks role and jurisdiction (through the dossier service, which
checks them again), calls one engine function, and renders or redirects. Nothing happens at import time:
``create_app`` builds everything.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from dossiers.config import Settings

from . import auth, converters, db, errors, filters, i18n, limits, security


def create_app(settings: Settings | None = None, flask_config: dict | None = None) -> Flask:
    """The app for ``settings`` (default: ``Settings.from_env()``); ``flask_config`` overrides Flask's config
    (tests: ``{"TESTING": True}``)."""
    settings = settings or Settings.from_env()
    instance = settings.instance()
    app = Flask(__name__, instance_path=str(instance), instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY=settings.secret(),
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + errors.FORM_ALLOWANCE,
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        BABEL_DEFAULT_LOCALE="vi",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).resolve().parents[1] / "translations"),
    )
    app.extensions["cfc.settings"] = settings
    if flask_config:
        app.config.update(flask_config)

    db.init_app(app)
    filters.init_app(app)
    auth.init_app(app)
    limits.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    converters.init_app(app)  # before the blueprints: every <int:…> is an id
    security.init_app(app)

    from .account.views import bp as account_bp
    from .admin import impact as _impact_pages  # noqa: F401  (its routes join the admin blueprint)
    from .admin.views import bp as admin_bp
    from .api.views import bp as api_bp
    from .bulk.views import bp as bulk_bp
    from .commune.views import bp as commune_bp
    from .district.views import bp as district_bp
    from .documents import bp as documents_bp
    from .dossiers import bp as dossiers_bp
    from .province.views import bp as province_bp

    for bp in (auth.bp, dossiers_bp, documents_bp, commune_bp, district_bp, province_bp, admin_bp, bulk_bp,
               api_bp, account_bp):
        app.register_blueprint(bp)
    auth.csrf.exempt(api_bp)  # the API authenticates each request with a bearer token, not a cookie
    return app
