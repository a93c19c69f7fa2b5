"""``cfc import|export|report``: spreadsheets in and out, and the province report.

    cfc import template VERSION -o FILE.xlsx|FILE.csv     the import file of a criteria version
    cfc import FILE --round YEAR --as USER [--dry-run]    import indicator values (all or nothing)
    cfc export --round YEAR -o FILE.xlsx|FILE.csv         results (XLSX: with values and notes sheets)
    cfc export --round YEAR --values -o FILE              self-assessed values in the import layout
    cfc export --round YEAR --audit -o FILE               the audit trail of a round (or --dossier ID)
    cfc report --province CODE --round YEAR -o FILE.pdf   the province report

Progress bars go to stderr.
"""

from __future__ import annotations

from pathlib import Path

import click

from engine.messages import N_
from engine.numbers import format_number

from .common import (
    AS_OPTION,
    ROUND,
    fail,
    open_service,
    out_path,
    progress,
    refusals,
    registry,
    say,
    tr,
    who_acts,
)


class ImportGroup(click.Group):
    """``cfc import template VERSION …`` runs the subcommand; anything else is ``cfc import FILE …``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["file", *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage("cfc import", "FILE --round YEAR [--as USERNAME] [--dry-run]")
        formatter.write_usage("cfc import", "template VERSION -o FILE.xlsx|FILE.csv")


@click.group("import", cls=ImportGroup)
def import_group() -> None:
    """Import self-assessed indicator values of many communes from a CSV or XLSX file.

    One row per commune (commune_code), one column per indicator code; `cfc import template VERSION` writes
    the file to fill in. Every cell is checked first: one bad cell and nothing is stored (exit 1, with the row,
    column, value and reason of each). Rows go into each commune's draft dossier of the round, created when
    the commune has none. Empty cells keep the stored value; re-importing the same file changes nothing.
    """


def _write_problems(path: Path | None, report) -> None:
    if path is None:
        return
    from dossiers.bulk.importer import report_rows
    from dossiers.bulk.write import Sheet, write_tables

    columns = ["row", "column", "header", "value", "reason", "message"]
    write_tables(path, [Sheet("Lỗi", columns, None, report_rows(report))])
    say(N_("các ô sai đã được ghi vào %(file)s", file=str(path)), err=True)


@import_group.command("file")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--round", "year", type=ROUND, required=True, help="Assessment round (year).")
@AS_OPTION
@click.option("--dry-run", is_flag=True, help="Check and score, print the report, store nothing.")
@click.option("--report", "report_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the bad cells to this CSV file (row, column, header, value, reason, message).")
@click.option("--quiet", is_flag=True, help="No progress bars.")
def import_file_cmd(file: Path, year: int, actor: str | None, dry_run: bool, report_file: Path | None,
                    quiet: bool) -> None:
    """Import FILE (also reachable as `cfc import FILE`).

    Files of 300 rows or more are scored in worker processes (one per CPU, at most 4); CFC_IMPORT_WORKERS=N
    sets their number, 0 scores in this process.

    A file beyond the limits is refused, naming the limit: 20 MB (an XLSX: 40 MB decompressed), 20,000 rows,
    500 columns, 32,767 characters in a cell; so is a formula without its computed value. Reports quote at
    most 100 characters of a cell.
    """
    from dossiers.bulk.importer import ImportRefused, import_file

    if report_file is not None:
        out_path(report_file, (".csv", ".xlsx"))
    username = who_acts(actor)
    with open_service() as service:
        try:
            report = import_file(service, file, year, username, dry_run=dry_run,
                                 progress=None if quiet else progress)
        except ImportRefused as exc:
            _write_problems(report_file, exc.report)
            fail("\n".join(tr(line) for line in exc.report.problem_lines()))
    if dry_run:
        for row in report.rows:
            say(row.line())
        say(report.summary())
        if report.problems:
            _write_problems(report_file, report)
            fail("\n".join(tr(line) for line in report.problem_lines()))
        return
    say(report.summary())


@import_group.command("template")
@click.argument("version_id")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="FILE.xlsx or FILE.csv")
@click.option("--unit", "unit_code", help="Pre-fill one row per commune of this unit (needs the database).")
@click.option("--round", "year", type=ROUND, help="With --unit: the communes of this round (default: this year).")
def import_template(version_id: str, output: Path, unit_code: str | None, year: int | None) -> None:
    """Write the import file of criteria version VERSION_ID: commune_code, then one column per indicator."""
    from dossiers.bulk.template import write_template

    out_path(output, (".xlsx", ".csv"))
    with refusals():
        version = registry().get(version_id)
    communes = None
    if unit_code:
        from dossiers.units import communes_of

        with open_service() as service, service.transaction(readonly=True) as s:
            communes = communes_of(s, unit_code, year)
    with refusals():
        write_template(version, output, communes)
    rows = N_(", %(count)s xã", count=len(communes)) if communes else ""
    say(N_("đã ghi %(file)s (%(count)s chỉ số%(rows)s)", file=str(output), count=len(version.indicator_map()),
           rows=rows), err=True)


@click.command("export")
@click.option("--round", "year", type=ROUND, help="Assessment round (year).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="FILE.xlsx or FILE.csv")
@click.option("--values", "what", flag_value="values", help="The self-assessed values in the import layout.")
@click.option("--audit", "what", flag_value="audit", help="The audit trail of the round (or of --dossier).")
@click.option("--dossier", "dossier_id", type=int, help="With --audit: one dossier's audit trail.")
@AS_OPTION
def export(year: int | None, output: Path, what: str | None, dossier_id: int | None, actor: str | None) -> None:
    """Export a round's results per commune (criterion points, total, threshold, status, decision), its
    values, or the audit trail of a round or of one dossier. CSV is UTF-8 with BOM (opens in Excel)."""
    from dossiers.bulk import export as exports

    out_path(output, (".xlsx", ".csv"))
    if what != "audit" and dossier_id is not None:
        raise click.UsageError(tr(N_("--dossier chỉ dùng cùng --audit")))
    if (what == "audit" and (year is None) == (dossier_id is None)) or (what != "audit" and year is None):
        raise click.UsageError(tr(N_("hãy cho biết năm đánh giá: --round NĂM (hoặc --dossier SỐ)") if what == "audit"
                                  else N_("hãy cho biết năm đánh giá: --round NĂM")))
    username = who_acts(actor)
    with open_service() as service:
        if what == "audit":
            summary = exports.export_audit(service, username, output, year=year, dossier_id=dossier_id)
        elif what == "values":
            summary = exports.export_values(service, username, year, output)
        else:
            summary = exports.export_results(service, username, year, output)
    say(summary.message(), err=True)


@click.command("report")
@click.option("--province", "province_code", required=True, help="Official code of the province.")
@click.option("--round", "year", type=ROUND, required=True, help="Assessment round (year).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="FILE.pdf")
@AS_OPTION
def report(province_code: str, year: int, output: Path, actor: str | None) -> None:
    """The province report of a round (PDF): per district assessed and recognised against the national
    targets, the score distribution and the criteria most often below their maximum, with charts."""
    from certificates import ProvinceReportData, from_dict, province_report_pdf
    from dossiers.bulk.report import collect

    from .common import write_file

    out_path(output, (".pdf",))
    username = who_acts(actor)
    with open_service() as service:
        data = collect(service, username, province_code, year)
    write_file(province_report_pdf(from_dict(ProvinceReportData, data.fields())), output)
    t = data.total
    say(N_("đã ghi %(file)s: %(province)s, %(communes)s xã, %(assessed)s đã đánh giá, %(recognized)s được công "
           "nhận (%(share)s %%)", file=str(output), province=data.province_name, communes=t.communes,
           assessed=t.assessed, recognized=t.recognized, share=format_number(t.share, 1)), err=True)
