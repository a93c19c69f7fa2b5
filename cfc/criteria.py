"""``cfc criteria``: validate, list, show, correct, verify and publish criteria versions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from engine.checks import unverified
from engine.edit import publish, set_value, verify
from engine.errors import CriteriaError
from engine.export import version_json
from engine.loader import Registry, default_directory, load_version, version_files

from .common import fail, nfc, parse_day, refusals, registry, settings, who_acts

BY_OPTION = click.option("--by", help="Who makes the change (default: $CFC_USER, else the login name).")


@click.group()
def criteria() -> None:
    """Criteria versions: validate, list, show, correct, verify, publish."""


@criteria.command("validate")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
def criteria_validate(path: Path | None) -> None:
    """Check a criteria file or folder (default: the criteria in use); print every problem."""
    target = path or settings().criteria_dir or default_directory()
    try:
        if target.is_dir():
            versions = list(Registry.load(target).versions.values())
        else:
            versions = [load_version(target)]
    except CriteriaError as exc:
        fail(f"{len(exc.problems)} problems:\n{exc}")
    for v in versions:
        note = f", {len(unverified(v))} unverified values" if v.provisional else ""
        click.echo(f"OK {v.id}: {v.status}, {len(v.criteria)} criteria, {len(v.indicator_map())} indicators{note}")


@criteria.command("list")
@click.option("--on", "on", help="Mark the version in force on this date (YYYY-MM-DD).")
def criteria_list(on: str | None) -> None:
    """List the criteria versions."""
    versions = registry().versions.values()
    day = parse_day(on) or dt.date.today()
    for v in sorted(versions, key=lambda v: v.effective_from):
        span = f"{v.effective_from} → {v.effective_to or '…'}"
        mark = "*" if v.covers(day) else " "
        click.echo(nfc(f"{mark} {v.id:<14} {v.status:<12} {span:<26} {v.title}"))
    click.echo(f"(* in force on {day.isoformat()})")


@criteria.command("show")
@click.argument("version_id", required=False)
@click.option("--on", "on", help="Show the version in force on this date (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def criteria_show(version_id: str | None, on: str | None, as_json: bool) -> None:
    """Show a version: its categories, criteria, components and indicators."""
    with refusals():
        version = registry().resolve(version_id, parse_day(on))
    if as_json:
        click.echo(json.dumps(version_json(version), ensure_ascii=False, indent=2))
        return
    status = " (TẠM THỜI: có giá trị chưa được xác minh)" if version.provisional else ""
    click.echo(nfc(f"{version.id}: {version.title}{status}"))
    click.echo(f"  in force {version.effective_from} → {version.effective_to or '…'}; max {version.max_total.points}")
    for cat in version.categories:
        click.echo(nfc(f"  {cat.id:<26} ≥ {cat.threshold}  {cat.label}"))
    for crit in version.criteria:
        click.echo(nfc(f"{crit.code} {crit.title} — tối đa {crit.max_points}, đạt từ {crit.met_at}"))
        for ind in crit.indicators:
            click.echo(nfc(f"    {ind.code:<36} {ind.type:<7} {ind.label}"))


@criteria.command("unverified")
@click.argument("version_id")
def criteria_unverified(version_id: str) -> None:
    """List every value of a version not yet verified against the official text."""
    with refusals():
        version = registry().get(version_id)
    missing = unverified(version)
    for _, text in missing:
        click.echo(nfc(text))
    click.echo(f"{len(missing)} unverified")


def _file_of(version_id: str) -> Path:
    folder = settings().criteria_dir or default_directory()
    for path in version_files(folder):
        if path.stem == version_id:
            return path
    fail(f"no criteria file {version_id}.yaml in {folder}")


def _audit(actor: str, action: str, target: str, after: str) -> None:
    """Record a criteria change in the database's audit trail, when this deployment has a database."""
    from dossiers.criteria_audit import record_criteria_change

    if not record_criteria_change(settings(), actor, action, target, after):
        click.echo("(no database here: the change is recorded in the criteria file's history only)", err=True)


@criteria.command("set")
@click.argument("version_id")
@click.argument("locator")
@click.argument("value")
@click.option("--source", help="Where the new value comes from.")
@click.option("--verified/--unverified", default=None, help="Mark the value verified against the official text.")
@BY_OPTION
def criteria_set(version_id, locator, value, source, verified, by) -> None:
    """Correct one number, e.g. `cfc criteria set qd06-2019 TC07/immunisation/bands/1/min 96`."""
    actor = who_acts(by, dossier_data=False)
    with refusals():
        change = set_value(_file_of(version_id), locator, value, by=actor, source=source, verified=verified)
    click.echo(nfc(change))
    _audit(actor, "criteria.set", version_id, change)


@criteria.command("verify")
@click.argument("version_id")
@click.argument("locator")
@click.option("--source", required=True, help="The official text checked, e.g. 'QĐ 06, Điều 2 khoản 2'.")
@BY_OPTION
def criteria_verify(version_id, locator, source, by) -> None:
    """Mark a value verified, e.g. `cfc criteria verify qd06-2019 categories/other --source '…'`."""
    actor = who_acts(by, dossier_data=False)
    with refusals():
        change = verify(_file_of(version_id), locator, by=actor, source=source)
    click.echo(nfc(change))
    _audit(actor, "criteria.verify", version_id, change)


@criteria.command("publish")
@click.argument("version_id")
@BY_OPTION
def criteria_publish(version_id, by) -> None:
    """Make a version official: only when every value is verified, else list what is not."""
    actor = who_acts(by, dossier_data=False)
    with refusals():
        message = publish(_file_of(version_id), by=actor)
    click.echo(message)
    _audit(actor, "criteria.publish", version_id, "official")
