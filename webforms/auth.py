"""Sign-in with Flask-Login sessions (CSRF on every form), and the signed-in user as plain data."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from dossiers import authority
from dossiers.users import authenticate, get_user
from engine.errors import CfcError

from .db import service

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

    def get_id(self) -> str:
        return self.username

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


def actor_from(user) -> Actor:
    return Actor(user.username, user.full_name, list(user.roles), user.unit.level, user.unit.code, user.unit.name)


@login_manager.user_loader
def _load(username: str) -> Actor | None:
    try:
        with service().transaction(readonly=True) as s:
            return actor_from(get_user(s, username))
    except CfcError:
        return None


def require_role(*roles: str) -> Actor:
    """The signed-in actor when they hold one of ``roles``; 403 otherwise (the service checks again)."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not current_user.has(*roles):
        abort(403, description=_("Trang này dành cho vai trò: %(roles)s", roles=", ".join(roles)))
    return current_user


def require_action(*actions: str) -> Actor:
    """The signed-in actor when some dated procedure gives one of their roles one of ``actions`` (the page
    offers them); 403 otherwise. Each action is checked again, with its dossier or round, by
    ``dossiers.authority`` in the service."""
    return require_role(*authority.roles_for(service().procedures, *actions))


class LoginForm(FlaskForm):
    username = StringField("Tên đăng nhập", validators=[DataRequired()])
    password = PasswordField("Mật khẩu", validators=[DataRequired()])


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Vui lòng đăng nhập."
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
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            with service().transaction() as s:
                actor = actor_from(authenticate(s, form.username.data.strip(), form.password.data))
        except CfcError:
            flash(_("Sai tên đăng nhập hoặc mật khẩu."), "error")
        else:
            login_user(actor)
            return redirect(safe_next(request.args.get("next", "")) or actor.home)
    return render_template("login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(current_user.home)
