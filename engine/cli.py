"""The ``cfc`` command: criteria administration, assessment templates and scoring.

Exit codes: 0 done, 1 invalid input (every problem is printed to stderr), 2 usage error.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import sys
from pathlib import Path

import click

from . import render
from .assessment import parse_assessment, read_assessment_file
from .checks import unverified
from .edit import publish, set_value, verify
from .errors import AssessmentError, CfcError, CriteriaError
from .export import version_json
from .loader import Registry, default_directory, load_version, version_files
from .scoring import score


def _fail(message: str, code: int = 1) -> None:
    click.echo(render.nfc(message), err=True)
    sys.exit(code)


def _registry() -> Registry:
    try:
        return Registry.load()
    except CriteriaError as exc:
        _fail(f"criteria are invalid ({len(exc.problems)} problems):\n{exc}")


def _day(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date YYYY-MM-DD", param_hint="--on") from None


def _actor(by: str | None) -> str:
    return by or os.environ.get("CFC_USER") or getpass.getuser()


@click.group()
@click.version_option(package_name="child-friendly-communes")
def main() -> None:
    """Đánh giá, công nhận xã, phường, thị trấn phù hợp với trẻ em (QĐ 06/QĐ-TTg)."""


# ----------------------------------------------------------------------------------------------- criteria
@main.group()
def criteria() -> None:
    """Criteria versions: validate, list, show, correct, verify, publish."""


@criteria.command("validate")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
def criteria_validate(path: Path | None) -> None:
    """Check a criteria file or folder (default: the criteria in use); print every problem."""
    target = path or default_directory()
    try:
        if target.is_dir():
            registry = Registry.load(target)
            versions = list(registry.versions.values())
        else:
            versions = [load_version(target)]
    except CriteriaError as exc:
        _fail(f"{len(exc.problems)} problems:\n{exc}")
    for v in versions:
        note = f", {len(unverified(v))} unverified values" if v.provisional else ""
        click.echo(f"OK {v.id}: {v.status}, {len(v.criteria)} criteria, {len(v.indicator_map())} indicators{note}")


@criteria.command("list")
@click.option("--on", "on", help="Mark the version in force on this date (YYYY-MM-DD).")
def criteria_list(on: str | None) -> None:
    """List the criteria versions."""
    registry = _registry()
    day = _day(on) or dt.date.today()
    for v in sorted(registry.versions.values(), key=lambda v: v.effective_from):
        span = f"{v.effective_from} → {v.effective_to or '…'}"
        mark = "*" if v.covers(day) else " "
        click.echo(render.nfc(f"{mark} {v.id:<14} {v.status:<12} {span:<26} {v.title}"))
    click.echo(f"(* in force on {day.isoformat()})")


@criteria.command("show")
@click.argument("version_id", required=False)
@click.option("--on", "on", help="Show the version in force on this date (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def criteria_show(version_id: str | None, on: str | None, as_json: bool) -> None:
    """Show a version: its categories, criteria, components and indicators."""
    try:
        version = _registry().resolve(version_id, _day(on))
    except CfcError as exc:
        _fail(str(exc))
    data = version_json(version)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    status = " (TẠM THỜI: có giá trị chưa được xác minh)" if version.provisional else ""
    click.echo(render.nfc(f"{version.id}: {version.title}{status}"))
    click.echo(f"  in force {version.effective_from} → {version.effective_to or '…'}; max {version.max_total.points}")
    for cat in version.categories:
        click.echo(render.nfc(f"  {cat.id:<26} ≥ {cat.threshold}  {cat.label}"))
    for crit in version.criteria:
        click.echo(render.nfc(f"{crit.code} {crit.title} — tối đa {crit.max_points}, đạt từ {crit.met_at}"))
        for ind in crit.indicators:
            click.echo(render.nfc(f"    {ind.code:<36} {ind.type:<7} {ind.label}"))


@criteria.command("unverified")
@click.argument("version_id")
def criteria_unverified(version_id: str) -> None:
    """List every value of a version not yet verified against the official text."""
    try:
        version = _registry().get(version_id)
    except CfcError as exc:
        _fail(str(exc))
    missing = unverified(version)
    for _, text in missing:
        click.echo(render.nfc(text))
    click.echo(f"{len(missing)} unverified")


def _audit(actor: str, action: str, target: str, after: str) -> None:
    """Record a criteria change in the database's audit trail, when this deployment has a database."""
    from sqlalchemy import inspect

    from .store.db import database_url, make_engine, session_factory
    from .store.service import DossierService

    url = database_url()
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        click.echo("(no database here: the change is recorded in the criteria file's history only)", err=True)
        return
    engine = make_engine(url)
    try:
        if not inspect(engine).has_table("audit_entries"):
            click.echo("(no database here: the change is recorded in the criteria file's history only)", err=True)
            return
        DossierService(session_factory(engine), registry=_registry()).record(actor, action, target, after=after)
    finally:
        engine.dispose()


def _file_of(version_id: str) -> Path:
    for path in version_files(default_directory()):
        if path.stem == version_id:
            return path
    _fail(f"no criteria file {version_id}.yaml in {default_directory()}")


@criteria.command("set")
@click.argument("version_id")
@click.argument("locator")
@click.argument("value")
@click.option("--source", help="Where the new value comes from.")
@click.option("--verified/--unverified", default=None, help="Mark the value verified against the official text.")
@click.option("--by", help="Who makes the change (default: $CFC_USER or the login name).")
def criteria_set(version_id, locator, value, source, verified, by) -> None:
    """Correct one number, e.g. `cfc criteria set qd06-2019 TC07/immunisation/bands/1/min 96`."""
    try:
        change = set_value(_file_of(version_id), locator, value, by=_actor(by), source=source, verified=verified)
    except CfcError as exc:
        _fail(str(exc))
    click.echo(render.nfc(change))
    _audit(_actor(by), "criteria.set", version_id, change)


@criteria.command("verify")
@click.argument("version_id")
@click.argument("locator")
@click.option("--source", required=True, help="The official text checked, e.g. 'QĐ 06, Điều 2 khoản 2'.")
@click.option("--by", help="Who verified it (default: $CFC_USER or the login name).")
def criteria_verify(version_id, locator, source, by) -> None:
    """Mark a value verified, e.g. `cfc criteria verify qd06-2019 categories/other --source '…'`."""
    try:
        change = verify(_file_of(version_id), locator, by=_actor(by), source=source)
    except CfcError as exc:
        _fail(str(exc))
    click.echo(render.nfc(change))
    _audit(_actor(by), "criteria.verify", version_id, change)


@criteria.command("publish")
@click.argument("version_id")
@click.option("--by", help="Who publishes it (default: $CFC_USER or the login name).")
def criteria_publish(version_id, by) -> None:
    """Make a version official: only when every value is verified, else list what is not."""
    try:
        message = publish(_file_of(version_id), by=_actor(by))
    except CfcError as exc:
        _fail(str(exc))
    click.echo(message)
    _audit(_actor(by), "criteria.publish", version_id, "official")


# ------------------------------------------------------------------------------------ templates & scoring
@main.command("template")
@click.argument("version_id", required=False)
@click.option("--on", "on", help="Use the version in force on this date (YYYY-MM-DD).")
@click.option("--example", is_flag=True, help="Fill in an example commune that meets every condition.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
def template_cmd(version_id, on, example, output) -> None:
    """Write a blank assessment (every indicator, labels as comments)."""
    try:
        version = _registry().resolve(version_id, _day(on))
    except CfcError as exc:
        _fail(str(exc))
    if example:
        missing = set(version.indicator_map()) - set(render.EXAMPLE_VALUES)
        if missing:
            _fail(f"no example for {version.id}: it has indicators the example lacks ({', '.join(sorted(missing))})")
        text = render.template(version, render.EXAMPLE_VALUES, render.EXAMPLE_HEADER)
    else:
        text = render.template(version)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


@main.command("score")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (an array when several files are given).")
@click.option("--on", "on", help="Score with the version in force on this date, unless the file names one.")
def score_cmd(files, as_json, on) -> None:
    """Score assessment files (YAML or JSON). Nothing is scored when any file has a bad value."""
    registry = _registry()
    day = _day(on)
    parsed, problems = [], []
    for path in files:
        try:
            data = read_assessment_file(path)
            when = day or _assessed_on(data)
            version = registry.resolve(data.get("criteria_version"), when)
            parsed.append((version, parse_assessment(data, version, str(path))))
        except AssessmentError as exc:
            problems.extend(f"{path}: {p}" for p in exc.problems)
        except CfcError as exc:
            problems.append(f"{path}: {exc}")
    if problems:
        _fail(f"{len(problems)} problems, nothing scored:\n" + "\n".join(problems))
    try:
        results = [score(version, assessment) for version, assessment in parsed]
    except CfcError as exc:
        _fail(f"scoring failed: {exc}")
    if as_json:
        out = [r.to_dict() for r in results]
        click.echo(json.dumps(out if len(out) > 1 else out[0], ensure_ascii=False, indent=2))
    else:
        click.echo("\n\n".join(render.score_table(r) for r in results))


def _assessed_on(data: dict) -> dt.date | None:
    value = data.get("assessed_on")
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None  # parse_assessment reports it


def _register_store_commands() -> None:
    from .cli_store import register

    register(main)


_register_store_commands()


def _register_bulk_commands() -> None:
    from .cli_bulk import register

    register(main)


_register_bulk_commands()
