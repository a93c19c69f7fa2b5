"""``cfc template`` and ``cfc score``: assessment files, scored and explained in a Vietnamese table."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from engine.assessment import parse_assessment, read_assessment_file
from engine.errors import AssessmentError, CfcError
from engine.messages import N_, Message
from engine.scoring import score as score_assessment
from engine.template import load_example
from engine.template import template as template_text

from .common import fail, parse_day, refusals, registry, say, settings, tr
from .render import score_table


@click.command("template")
@click.argument("version_id", required=False)
@click.option("--on", "on", help="Use the version in force on this date (YYYY-MM-DD).")
@click.option("--example", is_flag=True, help="Fill in an example commune that meets every condition.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
def template(version_id, on, example, output) -> None:
    """Write a blank assessment (every indicator, labels as comments)."""
    with refusals():
        version = registry().resolve(version_id, parse_day(on))
        if example:
            header, values = load_example(version.id)
            missing = set(version.indicator_map()) - set(values)
            if missing:
                fail(N_("không có ví dụ cho %(version)s: bộ tiêu chí có những chỉ số mà ví dụ thiếu (%(codes)s)",
                        version=version.id, codes=", ".join(sorted(missing))))
            text = template_text(version, values, header)
        else:
            text = template_text(version)
    if output:
        output.write_text(text, encoding="utf-8")
        say(N_("đã ghi %(file)s", file=str(output)), err=True)
    else:
        click.echo(text, nl=False)


def _assessed_on(data: dict) -> dt.date | None:
    value = data.get("assessed_on")
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None  # parse_assessment reports it


def _parse_all(files, day: dt.date | None) -> list:
    known = registry()
    parsed, problems = [], []
    for path in files:
        try:
            data = read_assessment_file(path)
            named = data.get("criteria_version")
            if named is not None and not isinstance(named, str):
                problems.append(N_("%(file)s: criteria_version: cần mã phiên bản như qd06-2019, không phải %(value)s",
                                   file=str(path), value=repr(named)))
                continue
            version = known.resolve(named, day or _assessed_on(data))
            parsed.append((version, parse_assessment(data, version, str(path))))
        except AssessmentError as exc:
            problems.extend(Message("%(file)s: %(problem)s", file=str(path), problem=p.describe())
                            for p in exc.problems)
        except CfcError as exc:
            problems.append(Message("%(file)s: %(problem)s", file=str(path), problem=exc.args[0] if exc.args else ""))
    if problems:
        head = N_("%(count)s lỗi, không chấm điểm tệp nào:", count=len(problems))
        fail("\n".join(tr(line) for line in [head, *problems]))
    return parsed


@click.command("score")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (an array when several files are given).")
@click.option("--on", "on", help="Score with the version in force on this date, unless the file names one.")
def score(files, as_json, on) -> None:
    """Score assessment files (YAML or JSON). Nothing is scored when any file has a bad value."""
    parsed = _parse_all(files, parse_day(on))
    mode = settings().engine
    try:
        results = [score_assessment(version, assessment, mode=mode) for version, assessment in parsed]
    except CfcError as exc:
        fail(N_("chấm điểm không thành công: %(error)s", error=exc.args[0] if exc.args else str(exc)))
    if as_json:
        out = [r.to_dict() for r in results]
        click.echo(json.dumps(out if len(out) > 1 else out[0], ensure_ascii=False, indent=2))
    else:
        click.echo("\n\n".join(score_table(r) for r in results))
