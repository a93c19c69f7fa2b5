"""Own account: ``/account/password`` changes the signed-in user's password.

The current password is required and checked like a sign-in (a wrong one counts against the name's throttle).
The new one needs ``MIN_PASSWORD`` characters. Storing it ends every session and API token of the user, this
browser's session included, and is audited (``user.password``); the user then signs in again.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from dossiers.logins import Throttled
from dossiers.users import MAX_PASSWORD, MIN_PASSWORD, AuthError

from .. import sessions
from ..forms import Form

bp = Blueprint("account", __name__, url_prefix="/account", template_folder="templates")


class PasswordForm(Form):
    current = PasswordField(_l("Mật khẩu hiện tại"), validators=[DataRequired()])
    new = PasswordField(_l("Mật khẩu mới"), validators=[
        DataRequired(), Length(min=MIN_PASSWORD, max=MAX_PASSWORD,
                               message=_l("Mật khẩu mới cần từ %(min)d đến %(max)d ký tự."))])
    again = PasswordField(_l("Nhập lại mật khẩu mới"), validators=[
        DataRequired(), EqualTo("new", message=_l("Hai lần nhập mật khẩu mới không giống nhau."))])


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            sessions.change_password(current_user.username, form.current.data, form.new.data)
        except Throttled as exc:
            message = _("Nhập sai mật khẩu quá nhiều lần. Vui lòng thử lại sau %(wait)s.",
                        wait=sessions.wait_text(exc.retry_after))
            return render_template("account/password.html", form=form, refused=message), 429, \
                {"Retry-After": str(exc.retry_after)}
        except AuthError:
            form.current.errors.append(_("Mật khẩu hiện tại không đúng."))
        else:
            flash(_("Đã đổi mật khẩu. Mọi phiên đăng nhập và khoá API của bạn đã kết thúc: hãy đăng nhập lại "
                    "bằng mật khẩu mới."), "ok")
            return redirect(url_for("auth.login"))
    return render_template("account/password.html", form=form)
