"""``cfc criteria``: validate, list, show, correct, verify and publish criteria versions, and see what a
correction does to a round before it is published (``impact``)."""

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
from engine.messages import N_

from .common import (
    AS_OPTION,
    ROUND,
    fail,
    language,
    nfc,
    open_service,
    out_path,
    parse_day,
    problem_lines,
    progress,
    refusals,
    registry,
    say,
    settings,
    tr,
    who_acts,
    write_file,
)

STATUS_WORDS = {"draft": N_("dự thảo"), "provisional": N_("tạm thời"), "official": N_("chính thức")}
BY_OPTION = click.option("--by", help="Who makes the change (default: $CFC_USER, else the login name).")


@click.group()
def criteria() -> None:
    """Criteria versions: validate, list, show, correct, verify, see the impact of a correction, publish."""


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
        fail(tr(N_("%(count)s vấn đề:", count=len(exc.problems))) + "\n" + problem_lines(exc))
    for v in versions:
        counts = {"id": v.id, "status": _status(v.status), "criteria": len(v.criteria),
                  "indicators": len(v.indicator_map())}
        if v.provisional:
            say(N_("OK %(id)s: %(status)s, %(criteria)s tiêu chí, %(indicators)s chỉ số, %(unverified)s giá trị chưa "
                   "xác minh", unverified=len(unverified(v)), **counts))
        else:
            say(N_("OK %(id)s: %(status)s, %(criteria)s tiêu chí, %(indicators)s chỉ số", **counts))


def _status(status: str):
    return STATUS_WORDS.get(status, status)



@criteria.command("list")
@click.option("--on", "on", help="Mark the version in force on this date (YYYY-MM-DD).")
def criteria_list(on: str | None) -> None:
    """List the criteria versions."""
    versions = registry().versions.values()
    day = parse_day(on) or dt.date.today()
    for v in sorted(versions, key=lambda v: v.effective_from):
        span = f"{v.effective_from} → {v.effective_to or '…'}"
        mark = "*" if v.covers(day) else " "
        click.echo(nfc(f"{mark} {v.id:<14} {tr(_status(v.status)):<12} {span:<26} {v.title}"))
    say(N_("(* có hiệu lực ngày %(day)s)", day=day.isoformat()))


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
    status = tr(N_(" (TẠM THỜI: có giá trị chưa được xác minh)")) if version.provisional else ""
    click.echo(nfc(f"{version.id}: {version.title}{status}"))
    say(N_("  hiệu lực %(start)s → %(end)s; tối đa %(points)s điểm", start=str(version.effective_from),
           end=str(version.effective_to or "…"), points=version.max_total.points))
    for cat in version.categories:
        click.echo(nfc(f"  {cat.id:<26} ≥ {cat.threshold}  {cat.label}"))
    for crit in version.criteria:
        say(N_("%(code)s %(title)s — tối đa %(most)s, đạt từ %(met_at)s", code=crit.code, title=crit.title,
               most=crit.max_points, met_at=crit.met_at))
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
        say(text)
    say(N_("%(count)s giá trị chưa xác minh", count=len(missing)))


def _file_of(version_id: str) -> Path:
    folder = settings().criteria_dir or default_directory()
    for path in version_files(folder):
        if path.stem == version_id:
            return path
    fail(N_("không có tệp bộ tiêu chí %(name)s trong %(folder)s", name=version_id + ".yaml", folder=str(folder)))


def _recorded(version_id: str, actor: str, action: str, change, audited: str | None = None) -> str:
    """Apply ``change`` to the version's file and record it in the audit trail (``edit_recorded``: under the
    folder's lock; the file put back when the entry cannot be written); returns the change's summary."""
    from dossiers.criteria_audit import edit_recorded

    with refusals():
        summary, recorded = edit_recorded(settings(), _file_of(version_id), change, actor, action, version_id,
                                          audited)
    if not recorded:
        say(N_("(ở đây không có cơ sở dữ liệu: thay đổi chỉ được ghi trong lịch sử của tệp bộ tiêu chí)"), err=True)
    return summary


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
    change = _recorded(version_id, actor, "criteria.set", lambda path: set_value(
        path, locator, value, by=actor, source=source, verified=verified))
    click.echo(nfc(change))


@criteria.command("verify")
@click.argument("version_id")
@click.argument("locator")
@click.option("--source", required=True, help="The official text checked, e.g. 'QĐ 06, Điều 2 khoản 2'.")
@BY_OPTION
def criteria_verify(version_id, locator, source, by) -> None:
    """Mark a value verified, e.g. `cfc criteria verify qd06-2019 categories/other --source '…'`."""
    actor = who_acts(by, dossier_data=False)
    change = _recorded(version_id, actor, "criteria.verify", lambda path: verify(path, locator, by=actor,
                                                                                   source=source))
    click.echo(nfc(change))


@criteria.command("publish")
@click.argument("version_id")
@BY_OPTION
@click.option("--yes", is_flag=True, help="Publish without asking when recognised dossiers change eligibility.")
def criteria_publish(version_id, by, yes) -> None:
    """Make a version official: only when every value is verified, else list what is not. Recognised dossiers
    whose eligibility the version's content changes are listed first, and you are asked to confirm."""
    actor = who_acts(by, dossier_data=False)
    _confirm_recognised(_file_of(version_id), yes)
    message = _recorded(version_id, actor, "criteria.publish", lambda path: publish(path, by=actor), "official")
    say(message)


@criteria.command("impact")
@click.argument("version_id")
@click.option("--with", "proposal", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The proposed criteria file (an edited copy of VERSION, or another version).")
@click.option("--round", "year", type=ROUND, required=True, help="Assessment round (year).")
@click.option("--province", help="Only the dossiers of this province (code).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("-o", "output", type=click.Path(dir_okay=False, path_type=Path), help="Also write FILE.xlsx.")
@AS_OPTION
@click.option("--quiet", is_flag=True, help="No progress bar.")
def criteria_impact(version_id, proposal, year, province, as_json, output, actor, quiet) -> None:
    """What a correction does to a round: every dossier scored under VERSION as stored and under the proposed
    file, e.g. `cfc criteria impact qd06-2019 --with de-xuat/qd06-2019.yaml --round 2024 --as admin`."""
    from dossiers.impact import round_impact
    from dossiers.impact_proposal import load_proposal
    from dossiers.impact_sheet import impact_xlsx

    username = who_acts(actor)
    if output is not None:
        out_path(output, (".xlsx",))
    with refusals():
        proposed = load_proposal(proposal)
    with open_service() as service:
        impact = round_impact(service, username, version_id, proposed, year, province, str(proposal),
                              progress=_no_bar if quiet else progress)
    if output is not None:
        write_file(impact_xlsx(impact), output)
        say(N_("đã ghi %(file)s", file=str(output)), err=True)
    if as_json:
        click.echo(json.dumps(impact.to_dict(), ensure_ascii=False, indent=2))
        return
    _print_impact(impact)


def _confirm_recognised(path: Path, yes: bool) -> None:
    """List the recognised dossiers whose eligibility publishing changes; ask before going on."""
    from dossiers.impact_publish import changes_before_publish

    with refusals():
        version = load_version(path)
    if unverified(version):
        return  # publishing is refused anyway, with the list of unverified values
    with refusals():
        changes = changes_before_publish(settings(), registry(), version)
    if not changes:
        return
    say(N_("%(count)s hồ sơ đã được công nhận sẽ thay đổi điều kiện công nhận theo %(id)s:", count=len(changes),
           id=version.id))
    for f in changes:
        state = tr(N_("vẫn đạt") if f.new.eligible else N_("không còn đạt"))
        dossier = tr(N_("hồ sơ %(id)s", id=str(f.dossier_id)))
        click.echo(nfc(f"  {f.commune_code:<6} {f.commune_name:<28} {dossier}: "
                       f"{f.old.total} → {f.new.total}, {state} ({tr(f.new.failed)})"))
    if not yes and not click.confirm(tr(N_("Vẫn công bố?")), default=False, err=True):
        fail(N_("chưa công bố gì"))


def _no_bar(label: str, length: int):
    from dossiers.bulk.progress import no_progress

    return no_progress(label, length)


def _print_impact(impact) -> None:
    from dossiers.impact_sheet import YEAR, summary_lines
    from dossiers.language import number_in

    if impact.same:
        say(N_("(tệp đề xuất có nội dung giống phiên bản đang lưu: không có gì thay đổi)"))
    for label, value in summary_lines(impact):
        shown = number_in(language(), value) if isinstance(value, int) and label is not YEAR else tr(value)
        click.echo(nfc(f"{tr(label)}: {shown}"))
    for title, flips in ((N_("Trở thành đạt"), impact.gained), (N_("Trở thành không đạt"), impact.lost)):
        if flips:
            click.echo("\n" + tr(title) + ":")
        for f in flips:
            failed = tr(f.new.failed if not f.gains else f.old.failed)
            dossier = tr(N_("hồ sơ %(id)s", id=str(f.dossier_id)))
            click.echo(nfc(f"  {f.commune_code:<6} {f.commune_name:<28} {f.old.total:>5} → {f.new.total:<5} "
                           f"({dossier}) {failed}"))
    click.echo("\n" + tr(N_("Theo tiêu chí (thay đổi bình quân / lớn nhất, số hồ sơ thay đổi):")))
    for s in impact.shifts:
        click.echo(nfc(f"  {s.code:<5} {s.average:>+8.2f} {s.largest:>+5} {s.changed:>5}  {s.title}"))
    if impact.incomplete:
        click.echo("\n" + tr(N_("Không so sánh được (số liệu chưa đủ):")))
    for i in impact.incomplete:
        dossier = tr(N_("hồ sơ %(id)s", id=str(i.dossier_id)))
        click.echo(nfc(f"  {i.commune_code:<6} {i.commune_name:<28} {dossier}: {tr(i.reason)}"))
