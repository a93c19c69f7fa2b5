"""``cfc db|units|users|demo|dossier|audit``: thin commands over the store and the dossier service.

Every command honours DATABASE_URL and CFC_INSTANCE_DIR. Dossier commands act as a user (``--as USERNAME``,
default $CFC_USER) and are checked exactly like the web pages: role, jurisdiction, state, guards.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import click

from .errors import AssessmentError, CfcError
from .render import nfc
from .store import audit
from .store import units as unit_store
from .store.db import make_engine, session_factory
from .store.service import DossierService
from .store.users import add_user, issue_token, list_users
from .workflow import LABELS, ROLES


def _fail(message: str, code: int = 1) -> None:
    click.echo(nfc(message), err=True)
    sys.exit(code)


def _sessions():
    return session_factory(make_engine())


def _service() -> DossierService:
    return DossierService(_sessions())


def _as(username: str | None) -> str:
    user = username or os.environ.get("CFC_USER")
    if not user:
        raise click.UsageError("say who acts: --as USERNAME (or set CFC_USER)")
    return user


def register(main: click.Group) -> None:
    for group in (db, units, users, demo, dossier, audit_group):
        main.add_command(group)


# --------------------------------------------------------------------------------------------------- db
@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the newest version (Alembic)."""
    from .store.migrate import upgrade

    upgrade()
    click.echo("database is up to date")


# ------------------------------------------------------------------------------------------------ units
@click.group()
def units() -> None:
    """Administrative units."""


@units.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def units_import(file: Path) -> None:
    """Import units from CSV (format in the README); all rows are checked first, all or nothing."""
    service = _service()
    try:
        with service.transaction() as s:
            report = unit_store.import_csv(s, file)
            audit.append(s, actor=os.environ.get("CFC_USER", "cli"), action="units.import", target=file.name,
                         after={"created": report.created, "updated": report.updated})
    except CfcError as exc:
        _fail(str(exc))
    click.echo(f"{report.created} units created, {report.updated} updated, {report.categories} categories set")


# ------------------------------------------------------------------------------------------------ users
@click.group()
def users() -> None:
    """Users and API tokens."""


@users.command("add")
@click.argument("username")
@click.option("--unit", "unit_code", required=True, help="Official code of the user's unit.")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES), help="Repeatable.")
@click.option("--name", "full_name", default="", help="Full name.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def users_add(username, unit_code, roles, full_name, password) -> None:
    """Add a user bound to one unit."""
    service = _service()
    try:
        with service.transaction() as s:
            add_user(s, username, password, unit_code, list(roles), full_name,
                     actor=os.environ.get("CFC_USER", "cli"))
    except CfcError as exc:
        _fail(str(exc))
    click.echo(f"user {username} added")


@users.command("list")
def users_list() -> None:
    """List users with their unit and roles."""
    service = _service()
    with service.transaction() as s:
        for user in list_users(s):
            click.echo(nfc(f"{user.username:<18} {user.unit.level:<9} {user.unit.code:<6} {user.unit.name:<32} "
                           f"{', '.join(user.roles)}"))


@users.command("token")
@click.argument("username")
def users_token(username) -> None:
    """Issue an API token (shown once; only its hash is stored)."""
    service = _service()
    try:
        with service.transaction() as s:
            token = issue_token(s, username, actor=os.environ.get("CFC_USER", "cli"))
    except CfcError as exc:
        _fail(str(exc))
    click.echo(token)


# ------------------------------------------------------------------------------------------------- demo
@click.group()
def demo() -> None:
    """Demo data."""


@demo.command("load")
def demo_load() -> None:
    """Load Kon Tum's units, the demo users (password: demo) and 2024 dossiers in every status."""
    from .store import demo as demo_data

    sessions = _sessions()
    try:
        counts = demo_data.load(sessions)
    except demo_data.AlreadyLoaded as exc:
        click.echo(f"{exc}; delete the instance folder (or the database) to start over")
        return
    except CfcError as exc:
        _fail(str(exc))
    click.echo(f"demo loaded: {counts['units']} units, {counts['dossiers']} dossiers; users "
               f"{', '.join(u[0] for u in demo_data.USERS)} (password: demo)")


# ---------------------------------------------------------------------------------------------- dossier
@click.group()
def dossier() -> None:
    """Dossiers: create, show, set, appraise and move through the workflow."""


def _run(fn):
    try:
        return fn()
    except AssessmentError as exc:
        _fail("\n".join(f"{p.code}: {p.message}" for p in exc.problems))
    except CfcError as exc:
        _fail(str(exc))


def _print(view, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(view.__dict__, ensure_ascii=False, indent=2, default=str))
        return
    units = view.units
    click.echo(nfc(f"Hồ sơ {view.id}: {view.commune_name} ({view.commune_code}), {units.get('district', '')} "
                   f"{units.get('province', '')} — năm {view.year}"))
    prov = " [TẠM THỜI]" if view.provisional else ""
    click.echo(nfc(f"Trạng thái: {LABELS[view.status]} ({view.status}); phiên bản {view.lock_version}; "
                   f"tiêu chí {view.criteria_version}{prov}; quy trình {view.procedure}; loại {view.category}"))
    for which, label in (("self_score", "Tự đánh giá"), ("verified_score", "Thẩm định")):
        score = getattr(view, which)
        if score:
            verdict = "đạt" if score["recognized"] else "chưa đạt"
            click.echo(nfc(f"{label}: {score['total']}/{score['max_total']} điểm, ngưỡng {score['threshold']} "
                           f"→ {verdict}"))
    missing = [c for c, v in view.values.items() if v["self"] is None]
    if missing:
        click.echo(f"Chưa nhập: {len(missing)} chỉ số")


def _pairs(items: tuple[str, ...]) -> dict:
    out = {}
    for item in items:
        if "=" not in item:
            raise click.BadParameter(f"{item!r}: write CODE=VALUE", param_hint="VALUES")
        code, value = item.split("=", 1)
        out[code.strip()] = value
    return out


@dossier.command("create")
@click.argument("commune_code")
@click.option("--round", "year", type=int, required=True, help="Assessment round (year).")
@click.option("--as", "actor", help="Acting user (default $CFC_USER).")
@click.option("--json", "as_json", is_flag=True)
def dossier_create(commune_code, year, actor, as_json) -> None:
    view = _run(lambda: _service().create(_as(actor), commune_code, year))
    _print(view, as_json)


@dossier.command("list")
@click.option("--round", "year", type=int)
@click.option("--status", type=click.Choice(list(LABELS)))
@click.option("--as", "actor")
def dossier_list(year, status, actor) -> None:
    for v in _run(lambda: _service().list(_as(actor), year, status)):
        total = (v.verified_score or v.self_score or {}).get("total", "—")
        click.echo(nfc(f"{v.id:>5}  {v.year}  {v.status:<15} {total!s:>5}  {v.commune_code}  {v.commune_name}"))


@dossier.command("show")
@click.argument("dossier_id", type=int)
@click.option("--as", "actor")
@click.option("--json", "as_json", is_flag=True)
def dossier_show(dossier_id, actor, as_json) -> None:
    _print(_run(lambda: _service().get(_as(actor), dossier_id)), as_json)


@dossier.command("set")
@click.argument("dossier_id", type=int)
@click.argument("values", nargs=-1)
@click.option("--file", "file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="An assessment file (YAML/JSON) whose indicators are saved.")
@click.option("--expect", "expected", type=int, help="The version you last saw; refuse if it changed.")
@click.option("--as", "actor")
def dossier_set(dossier_id, values, file, expected, actor) -> None:
    """Save self-assessed values: `cfc dossier set 12 TC07.fully_immunised=49 TC01.officer=có`."""
    raw = _pairs(values)
    if file:
        from .assessment import read_assessment_file

        raw = {**_run(lambda: read_assessment_file(file)).get("indicators", {}), **raw}
    view = _run(lambda: _service().set_values(_as(actor), dossier_id, raw, expected))
    _print(view, False)


@dossier.command("appraise")
@click.argument("dossier_id", type=int)
@click.argument("values", nargs=-1)
@click.option("--comment", "comments", multiple=True, help="CODE=comment (repeatable).")
@click.option("--expect", "expected", type=int)
@click.option("--as", "actor")
def dossier_appraise(dossier_id, values, comments, expected, actor) -> None:
    """Record appraised values: `cfc dossier appraise 12 TC07.fully_immunised=48 --comment TC07.fully_immunised=…`."""
    view = _run(lambda: _service().appraise(_as(actor), dossier_id, _pairs(values), _pairs(comments), expected))
    _print(view, False)


def _transition_command(event: str, needs_reason: bool):
    @click.argument("dossier_id", type=int)
    @click.option("--reason", required=needs_reason, help="Why (required for return, reject, revoke).")
    @click.option("--expect", "expected", type=int)
    @click.option("--as", "actor")
    def command(dossier_id, reason, expected, actor, **extra):
        def go():
            return _service().transition(_as(actor), dossier_id, event, reason=reason, expected_version=expected,
                                         **extra)

        _print(_run(go), False)

    return command


for _event, _reason, _help in (
    ("submit", False, "Submit a complete dossier (commune)."),
    ("return", True, "Send a dossier back to the commune with a reason."),
    ("reject", True, "Refuse recognition with a reason."),
    ("revoke", True, "Revoke a recognition with a reason."),
):
    dossier.command(_event, help=_help)(_transition_command(_event, _reason))


@dossier.command("verify")
@click.argument("dossier_id", type=int)
@click.option("--member", "members", multiple=True, required=True, help="A panel member present (repeatable).")
@click.option("--expect", "expected", type=int)
@click.option("--as", "actor")
def dossier_verify(dossier_id, members, expected, actor) -> None:
    """Verify the appraisal (panel chair), recording the members present."""
    view = _run(lambda: _service().transition(_as(actor), dossier_id, "verify", expected_version=expected,
                                              panel_members=list(members)))
    _print(view, False)


@dossier.command("recognize")
@click.argument("dossier_id", type=int)
@click.option("--decision", "number", help="Decision number, e.g. 123/QĐ-UBND.")
@click.option("--date", "date", help="Decision date YYYY-MM-DD.")
@click.option("--expect", "expected", type=int)
@click.option("--as", "actor")
def dossier_recognize(dossier_id, number, date, expected, actor) -> None:
    """Recognise a verified dossier (province sign-off)."""
    day = dt.date.fromisoformat(date) if date else None
    view = _run(lambda: _service().transition(_as(actor), dossier_id, "recognize", expected_version=expected,
                                              decision_number=number, decision_date=day))
    _print(view, False)


# ------------------------------------------------------------------------------------------------ audit
@click.group("audit")
def audit_group() -> None:
    """The audit trail."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Check the hash chain; name the first broken entry (exit 1)."""
    service = _service()
    with service.transaction() as s:
        report = audit.verify_chain(s)
    click.echo(report.message)
    if not report.ok:
        sys.exit(1)


@audit_group.command("show")
@click.argument("dossier_id", type=int)
@click.option("--as", "actor")
def audit_show(dossier_id, actor) -> None:
    """Every change of a dossier: who, when, what, before/after, why."""
    for e in _run(lambda: _service().history(_as(actor), dossier_id)):
        reason = f" — lý do: {e['reason']}" if e["reason"] else ""
        click.echo(nfc(f"#{e['seq']:<5} {e['at'][:19].replace('T', ' ')}  {e['actor']:<16} {e['action']:<20} "
                       f"{e['target']}  {e['before']} → {e['after']}{reason}"))
