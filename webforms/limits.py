"""Rate limits per client address (Flask-Limiter): failed sign-ins and the public verification page.

One limiter, its storage from the setting ``CFC_RATELIMIT_STORAGE`` (``memory://`` by default: each worker
process counts on its own; ``redis://HOST:6379`` makes every worker share one count). The address is
``request.remote_addr``, which is the client's only when the app is reached directly or through proxies it is
told to trust (``CFC_TRUSTED_PROXIES``).

- ``sign_in``: failed sign-ins per address, counted together on the login form (a POST that does not sign in)
  and on the API (a request refused 401 for its token); ``CFC_LOGIN_RATE_LIMIT``.
- ``verification``: every request for ``/verify/<serial>`` (serials are sequential); ``CFC_VERIFY_RATE_LIMIT``.

Past a limit the answer is 429 with ``Retry-After`` (seconds): JSON on the API, the login form or an error page
with a Vietnamese message elsewhere. Limits are read per request from the app's settings.
"""

from __future__ import annotations

import math
import time

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits.errors import ConfigurationError

from dossiers.config import ConfigError

from .db import settings

limiter = Limiter(key_func=get_remote_address, strategy="moving-window", headers_enabled=False)


def _login_limit() -> str:
    return settings().login_rate_limit


def _verify_limit() -> str:
    return settings().verify_rate_limit


def _not_signed_in(response) -> bool:
    return response.status_code != 302


def _token_refused(response) -> bool:
    return response.status_code == 401


sign_in = limiter.shared_limit(_login_limit, scope="sign-in", methods=["POST"], deduct_when=_not_signed_in)
api_sign_in = limiter.shared_limit(_login_limit, scope="sign-in", deduct_when=_token_refused)
verification = limiter.limit(_verify_limit)


def retry_after() -> int:
    """Seconds until the limit that was just exceeded lets a request through again."""
    current = limiter.current_limit
    return max(1, math.ceil(current.reset_at - time.time())) if current is not None else 60


def too_many(exc: RateLimitExceeded):
    """429: JSON on the API, the login form or an error page with a Vietnamese message elsewhere."""
    wait = retry_after()
    headers = {"Retry-After": str(wait)}
    if request.path.startswith("/api/"):
        return jsonify({"error": _("quá nhiều lần đăng nhập sai từ địa chỉ này; thử lại sau %(wait)s giây", wait=wait),
                        "status": 429}), 429, headers
    from .sessions import wait_text

    message = _("Quá nhiều yêu cầu từ địa chỉ này. Vui lòng thử lại sau %(wait)s.", wait=wait_text(wait))
    if request.endpoint == "auth.login":
        from .auth import LoginForm

        return render_template("login.html", form=LoginForm(), refused=message), 429, headers
    return render_template("error.html", status=429, message=message), 429, headers


def init_app(app: Flask) -> None:
    from .api.views import bp as api_bp

    app.config["RATELIMIT_STORAGE_URI"] = settings(app).ratelimit_storage
    app.config.setdefault("RATELIMIT_ENABLED", True)  # the limiter remembers a False of an earlier app
    try:
        limiter.init_app(app)
    except ConfigurationError as exc:
        raise ConfigError(f"CFC_RATELIMIT_STORAGE={settings(app).ratelimit_storage!r}: {exc}") from None
    api_sign_in(api_bp)
    app.register_error_handler(RateLimitExceeded, too_many)
