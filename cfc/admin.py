"""``cfc db|units|users|demo``: the schema, administrative units, users and tokens, the demo data."""

from __future__ import annotations

from pathlib import Path

import click

from engine.numbers import format_number
from engine.workflow import ROLES

from .common import AS_OPTION, nfc, open_service, settings, who_acts


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the newest version (Alembic)."""
    from dossiers.migrate import upgrade

    upgrade(settings().database_url)
    click.echo("database is up to date")


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
    click.echo(f"{format_number(report.created)} units created, {format_number(report.updated)} updated, "
               f"{format_number(report.categories)} categories set")


@click.group()
def users() -> None:
    """Users and API tokens."""


@users.command("add")
@click.argument("username")
@click.option("--unit", "unit_code", required=True, help="Official code of the user's unit.")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES), help="Repeatable.")
@click.option("--name", "full_name", default="", help="Full name.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@AS_OPTION
def users_add(username, unit_code, roles, full_name, password, actor) -> None:
    """Add a user bound to one unit."""
    from dossiers.users import add_user

    with open_service() as service, service.transaction() as s:
        add_user(s, username, password, unit_code, list(roles), full_name,
                 actor=who_acts(actor, dossier_data=False))
    click.echo(f"user {username} added")


@users.command("list")
def users_list() -> None:
    """List users with their unit and roles."""
    from dossiers.users import list_users

    with open_service() as service, service.transaction(readonly=True) as s:
        for user in list_users(s):
            click.echo(nfc(f"{user.username:<18} {user.unit.level:<9} {user.unit.code:<6} {user.unit.name:<32} "
                           f"{', '.join(user.roles)}"))


@users.command("token")
@click.argument("username")
@AS_OPTION
def users_token(username, actor) -> None:
    """Issue an API token (shown once; only its hash is stored)."""
    from dossiers.users import issue_token

    with open_service() as service, service.transaction() as s:
        token = issue_token(s, username, actor=who_acts(actor, dossier_data=False))
    click.echo(token)


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
            click.echo(f"{exc}; delete the instance folder (or the database) to start over")
            return
    click.echo(f"demo loaded: {counts['units']} units, {counts['dossiers']} dossiers; users "
               f"{', '.join(u[0] for u in demo_data.USERS)} (password: demo)")
