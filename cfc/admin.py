"""``cfc db|units|users|demo``: the schema, administrative units, users and tokens, the demo data.

``cfc users`` manages accounts: add, list, deactivate, activate, password, unlock, and API tokens (token,
tokens, revoke-token). Every change is audited; a new password or a deactivation ends the user's web sessions
and API tokens at once.
"""

from __future__ import annotations

from pathlib import Path

import click

from engine.messages import N_
from engine.workflow import ROLES

from .common import AS_OPTION, nfc, open_service, say, settings, tr, who_acts


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the newest version (Alembic)."""
    from dossiers.migrate import upgrade

    upgrade(settings().database_url)
    say(N_("cơ sở dữ liệu đã ở phiên bản mới nhất"))


@click.group()
def units() -> None:
    """Administrative units."""


@units.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@AS_OPTION
def units_import(file: Path, actor: str | None) -> None:
    """Import units from CSV (format in the README); all rows are checked first, all or nothing."""
    from dossiers import audit
    from dossiers import units as unit_store

    with open_service() as service, service.transaction() as s:
        report = unit_store.import_csv(s, file)
        audit.append(s, actor=who_acts(actor, dossier_data=False), action="units.import", target=file.name,
                     after={"created": report.created, "updated": report.updated})
    say(N_("%(created)s đơn vị được tạo, %(updated)s được cập nhật, %(categories)s phân loại được ghi",
           created=report.created, updated=report.updated, categories=report.categories))


@click.group()
def users() -> None:
    """Users and API tokens."""


PASSWORD_OPTION = click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
                               help="At least 10 characters (asked for when not given).")


@users.command("add")
@click.argument("username")
@click.option("--unit", "unit_code", required=True, help="Official code of the user's unit.")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES), help="Repeatable.")
@click.option("--name", "full_name", default="", help="Full name.")
@PASSWORD_OPTION
@AS_OPTION
def users_add(username, unit_code, roles, full_name, password, actor) -> None:
    """Add a user bound to one unit."""
    from dossiers.users import add_user, check_new_password

    with open_service() as service:
        check_new_password(password)
        with service.transaction() as s:
            add_user(s, nfc(username), password, unit_code, list(roles), nfc(full_name),
                     actor=who_acts(actor, dossier_data=False))
    say(N_("đã thêm người dùng %(user)s", user=username))


@users.command("list")
def users_list() -> None:
    """List users with their unit and roles."""
    from dossiers.users import list_users

    with open_service() as service, service.transaction(readonly=True) as s:
        for user in list_users(s):
            click.echo(nfc(f"{user.username:<18} {user.unit.level:<9} {user.unit.code:<6} {user.unit.name:<32} "
                           f"{', '.join(user.roles)}" + ("" if user.active else "  (inactive)")))


@users.command("token")
@click.argument("username")
@click.option("--name", default="", help="What the token is for, e.g. the program that uses it.")
@click.option("--expires-days", "days", default=90, show_default=True, type=click.IntRange(1, 3650),
              help="Days the token works.")
@AS_OPTION
def users_token(username, name, days, actor) -> None:
    """Issue an API token (shown once; only its hash is stored)."""
    from dossiers.users import issue_token

    with open_service() as service, service.transaction() as s:
        token = issue_token(s, username, actor=who_acts(actor, dossier_data=False), name=nfc(name), days=days)
    click.echo(token)


TOKEN_STATES = {"active": N_("còn hiệu lực"), "expired": N_("hết hạn"), "revoked": N_("đã thu hồi")}


@users.command("tokens")
@click.argument("username")
def users_tokens(username) -> None:
    """List a user's API tokens: id, name, issued, expires (UTC), state (active, expired, revoked; in words of
    the run's language)."""
    from dossiers.users import list_tokens, token_state

    with open_service() as service, service.transaction(readonly=True) as s:
        for token in list_tokens(s, username):
            click.echo(nfc(f"{token.id:<5} {token.name or '-':<24} {token.created_at[:16]:<17} "
                           f"{token.expires_at.isoformat(sep=' ', timespec='minutes'):<17} {tr(TOKEN_STATES[token_state(token)])}"))


@users.command("revoke-token")
@click.argument("username")
@click.argument("token_id", metavar="ID", type=click.IntRange(1, 2**63 - 1))
@AS_OPTION
def users_revoke_token(username, token_id, actor) -> None:
    """Revoke one API token of a user (its ID as ``cfc users tokens`` lists it)."""
    from dossiers.users import revoke_token

    with open_service() as service, service.transaction() as s:
        revoke_token(s, username, token_id, actor=who_acts(actor, dossier_data=False))
    say(N_("đã thu hồi khoá API %(token)s của %(user)s", token=str(token_id), user=username))


@users.command("deactivate")
@click.argument("username")
@AS_OPTION
def users_deactivate(username, actor) -> None:
    """Stop a user from signing in; their web sessions end and their API tokens are revoked."""
    from dossiers.users import deactivate

    with open_service() as service, service.transaction() as s:
        ended = deactivate(s, username, actor=who_acts(actor, dossier_data=False))
    say(N_("đã khoá người dùng %(user)s; %(sessions)s phiên đăng nhập đã kết thúc, %(tokens)s khoá API đã bị thu hồi",
           user=username, sessions=ended["sessions"], tokens=ended["tokens"]))


@users.command("activate")
@click.argument("username")
@AS_OPTION
def users_activate(username, actor) -> None:
    """Let a deactivated user sign in again (revoked tokens stay revoked)."""
    from dossiers.users import activate

    with open_service() as service, service.transaction() as s:
        activate(s, username, actor=who_acts(actor, dossier_data=False))
    say(N_("đã mở lại người dùng %(user)s", user=username))


@users.command("password")
@click.argument("username")
@PASSWORD_OPTION
@AS_OPTION
def users_password(username, password, actor) -> None:
    """Set a user's password; their web sessions end and their API tokens are revoked."""
    from dossiers.users import new_password_hash, set_password_hash

    with open_service() as service:
        hashed = new_password_hash(password)  # checked and hashed before the write transaction
        with service.transaction() as s:
            ended = set_password_hash(s, username, hashed, actor=who_acts(actor, dossier_data=False))
    say(N_("đã đổi mật khẩu của %(user)s; %(sessions)s phiên đăng nhập đã kết thúc, %(tokens)s khoá API đã bị thu "
           "hồi", user=username, sessions=ended["sessions"], tokens=ended["tokens"]))


@users.command("unlock")
@click.argument("username")
@AS_OPTION
def users_unlock(username, actor) -> None:
    """Lift the sign-in lock of a user (after too many wrong passwords)."""
    from dossiers.logins import unlock

    with open_service() as service, service.transaction() as s:
        was = unlock(s, username, actor=who_acts(actor, dossier_data=False))
    say(N_("đã mở khoá đăng nhập của %(user)s", user=username) if was
        else N_("%(user)s không bị khoá đăng nhập", user=username))


@click.group()
def demo() -> None:
    """Demo data."""


@demo.command("load")
def demo_load() -> None:
    """Load Kon Tum's units, the demo users (password: demo) and 2024 dossiers in every status."""
    from dossiers import demo as demo_data

    with open_service() as service:
        try:
            counts = demo_data.load(service.sessions, service=service)
        except demo_data.AlreadyLoaded as exc:
            say(N_("%(error)s; xoá thư mục instance (hoặc cơ sở dữ liệu) để bắt đầu lại", error=exc.args[0]))
            return
    say(N_("đã nạp dữ liệu mẫu: %(units)s đơn vị, %(dossiers)s hồ sơ; người dùng %(users)s (mật khẩu: demo)",
           units=counts["units"], dossiers=counts["dossiers"], users=", ".join(u[0] for u in demo_data.USERS)))
