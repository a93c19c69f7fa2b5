"""HTTP security headers and cookie flags, set in this one place (Flask-Talisman and Werkzeug's ProxyFix).

On every response the app answers:

- ``Content-Security-Policy``: scripts, styles, images and fonts only from this site's own files, no inline
  script or style, no plugins, no ``<base>``, forms posted only here, no framing (``frame-ancestors 'none'``);
- ``X-Frame-Options: DENY`` (older browsers), ``X-Content-Type-Options: nosniff``,
  ``Referrer-Policy: strict-origin-when-cross-origin``;
- ``Cache-Control: no-store`` on everything but the public static files (pages, API answers, PDFs, exports and
  evidence files must not stay in a shared computer's cache or a proxy).

With an ``https`` public address (``CFC_BASE_URL``, else the stored setting ``public_base_url``, read when the
app starts): the session cookie (which also holds the CSRF token) and the remember cookie are ``Secure``, and
responses to https requests carry ``Strict-Transport-Security``. A request is https when it reached the app over
TLS or through a reverse proxy that says so (``X-Forwarded-Proto: https``); ``CFC_TRUSTED_PROXIES`` proxies in
front of the app are believed about the client's address and scheme (Werkzeug's ProxyFix), none by default.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_talisman import Talisman
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix

from dossiers.config import ConfigError, public_base_url

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
HSTS_MAX_AGE = 365 * 24 * 3600  # one year, as browsers' preload lists expect
CACHED_ENDPOINTS = {"static"}  # public files that may be cached; everything else is no-store


def init_app(app: Flask) -> None:
    """Headers on every response, Secure cookies and HSTS with an https public address, trusted proxies."""
    settings = app.extensions["cfc.settings"]
    https = is_https(app)
    app.extensions["cfc.https"] = https
    app.extensions["talisman"] = Talisman(  # one per app: Talisman keeps its options on itself
        app,
        force_https=False,  # the reverse proxy redirects http to https; the app never loops on a misconfig
        frame_options="DENY",
        content_security_policy=CSP,
        referrer_policy="strict-origin-when-cross-origin",
        strict_transport_security=https,
        strict_transport_security_max_age=HSTS_MAX_AGE,
        strict_transport_security_include_subdomains=False,  # the app owns its host, not the hosts below it
        session_cookie_secure=False,  # set below once, not on every request as Talisman would
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
    )
    app.config.update(SESSION_COOKIE_SECURE=https, REMEMBER_COOKIE_SECURE=https, REMEMBER_COOKIE_HTTPONLY=True)
    app.after_request(no_store)
    if settings.trusted_proxies:
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def no_store(response: Response) -> Response:
    """``Cache-Control: no-store`` on every response but the public static files."""
    if request.endpoint not in CACHED_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
    return response


def is_https(app: Flask) -> bool:
    """Whether the public address of this deployment is https: ``CFC_BASE_URL``, else the stored setting
    ``public_base_url``. A database not created yet (``cfc db upgrade`` not run) counts as no address, and says
    so in the log: restart the app once the address is stored."""
    settings = app.extensions["cfc.settings"]
    url = settings.base_url
    if not url:
        try:
            with app.extensions["cfc.service"].transaction(readonly=True) as s:
                url = public_base_url(settings, s)
        except ConfigError:
            url = ""
        except SQLAlchemyError as exc:
            app.logger.warning("public_base_url unreadable (%s): cookies are not marked Secure", exc.__class__.__name__)
            url = ""
    return str(url).lower().startswith("https://")
