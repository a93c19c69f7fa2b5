"""Sign-in and sign-out (CSRF on every form), and the signed-in user as plain data.

Sessions are kept on the server (``webforms.sessions``): the cookie holds a session token, and each request loads
the user, with their current roles and unit, through it. Failed sign-ins are throttled per user name
(``dossiers.logins``: 429 with ``Retry-After`` and a Vietnamese message) and per address (``webforms.limits``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, UserMixin, current_user, login_required
from flask_wtf.csrf import CSRFProtect
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from dossiers import authority
from dossiers.logins import Throttled
from dossiers.users import AuthError
from engine.messages import N_
from engine.workflow import ROLE_LABELS

from . import sessions
from .db import service
from .forms import Form
from .i18n import tr
from .limits import sign_in

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
csrf = CSRFProtect()

PROVINCE_ROLES = {"province_officer", "province_approver"}
DISTRICT_ROLES = {"district_appraiser", "district_chair"}


@dataclass
class Actor(UserMixin):
    """The signed-in user: loaded from the database on every request, so role changes apply at once."""

    username: str
    full_name: str
    roles: list
    unit_level: str
    unit_code: str
    unit_name: str
    session_token: str = field(default="", repr=False)

    def get_id(self) -> str:
        """Flask-Login's id is the session's token (the alternative-token pattern), never the user name."""
        return self.session_token

    def has(self, *roles: str) -> bool:
        return bool(set(self.roles) & set(roles))

    @property
    def home(self) -> str:
        if self.has("commune_officer"):
            return url_for("commune.index")
        if self.has(*DISTRICT_ROLES):
            return url_for("district.index")
        if self.has(*PROVINCE_ROLES):
            return url_for("province.index")
        if self.has("rules_admin", "sysadmin"):
            return url_for("admin.index")
        return url_for("dossiers.index")


def actor_from(user, session_token: str = "") -> Actor:
    return Actor(user.username, user.full_name, list(user.roles), user.unit.level, user.unit.code, user.unit.name,
                 session_token)


@login_manager.user_loader
def _load(token: str) -> Actor | None:
    user = sessions.user_for(token)
    return None if user is None else actor_from(user, token)


def require_role(*roles: str) -> Actor:
    """The signed-in actor when they hold one of ``roles``; 403 otherwise (the service checks again)."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not current_user.has(*roles):
        labels = ", ".join(tr(ROLE_LABELS.get(role, role)) for role in roles)
        abort(403, description=_("Trang này dành cho vai trò: %(roles)s", roles=labels))
    return current_user


def require_action(*actions: str) -> Actor:
    """The signed-in actor when some dated procedure gives one of their roles one of ``actions`` (the page
    offers them); 403 otherwise. Each action is checked again, with its dossier or round, by
    ``dossiers.authority`` in the service."""
    return require_role(*authority.roles_for(service().procedures, *actions))


class LoginForm(Form):
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired()])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired()])


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Vui lòng đăng nhập.")
    login_manager.localize_callback = _  # flashed in the reader's language
    csrf.init_app(app)


def safe_next(target: str) -> str | None:
    """A path of this site to return to after sign-in, or None (no open redirects: no scheme, no host, no
    backslash or control character that a browser would turn into one)."""
    if not target.startswith("/") or any(ch in target for ch in "\\") or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@sign_in
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user, token = sessions.sign_in(form.username.data, form.password.data)
        except Throttled as exc:
            message = _("Đăng nhập sai quá nhiều lần với tên này. Vui lòng thử lại sau %(wait)s.",
                        wait=sessions.wait_text(exc.retry_after))
            return render_template("login.html", form=form, refused=message), 429, \
                {"Retry-After": str(exc.retry_after)}
        except AuthError:
            flash(_("Sai tên đăng nhập hoặc mật khẩu."), "error")
        else:
            actor = actor_from(user, token)
            sessions.start(actor)
            return redirect(safe_next(request.args.get("next", "")) or actor.home)
    return render_template("login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    sessions.end(current_user.get_id())
    return redirect(url_for("auth.login"))


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(current_user.home)
