"""What every ``cfc`` command shares: the settings, one way to fail, one rule for who acts, the service.

One rule names who acts: ``--as USERNAME``, else ``CFC_USER``. Commands that change or reveal dossier data
(``dossier``, ``audit``, ``import``, ``export``, ``report``, ``certificates``) refuse to run without one and are
checked like the web pages (role, jurisdiction, state). Administrative commands that run before any user exists
(``criteria`` edits, ``units``, ``users``) record the operating-system login name when neither is given.

Input is checked as the web checks it: a dossier id is one the database can hold (``DOSSIER_ID``), a round a
year (``ROUND``), and free text (``TEXT``: reasons, comments, names) is read in NFC with no control character
(``engine.text.clean_text``), else the option is named and nothing runs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import click

from dossiers.config import ConfigError, Settings
from engine.errors import AssessmentError, CfcError, CriteriaError
from engine.loader import Registry
from engine.messages import N_
from engine.text import clean_text, nfc

AS_OPTION = click.option("--as", "actor", metavar="USERNAME", help="Acting user (default $CFC_USER).")
ROUND = click.IntRange(1990, 2100)  # a year of an assessment round
DOSSIER_ID = click.IntRange(1, 2**31 - 1)  # what the database can hold: PostgreSQL `integer` ids


class CleanText(click.ParamType):
    """Free text: NFC, no control character (tab and line breaks aside), not only invisible characters."""

    name = "text"

    def convert(self, value, param, ctx):
        try:
            return clean_text(value, param.name if param else "text")
        except AssessmentError as exc:
            self.fail(tr(exc.problems[0].message), param, ctx)


TEXT = CleanText()


def language() -> str:
    """The language of this run (``cfc --lang``; Vietnamese by default)."""
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get("cfc.lang", "vi") if ctx is not None else "vi"


def tr(text) -> str:
    """A message (``engine.messages``) or a list of them in the language of this run."""
    from dossiers.language import reader

    return nfc(reader(language())(text))


def say(text, err: bool = False) -> None:
    """Print a message in the language of this run."""
    click.echo(tr(text), err=err)


def fail(message, code: int = 1) -> NoReturn:
    """Print ``message`` to stderr and exit with ``code`` (1: refused or invalid input)."""
    click.echo(tr(message), err=True)
    sys.exit(code)


def settings() -> Settings:
    """The settings of this run, built once from the environment (``dossiers.config``)."""
    root = click.get_current_context().find_root()
    if not isinstance(root.obj, Settings):
        try:
            root.obj = Settings.from_env()
        except ConfigError as exc:
            fail(str(exc))
    return root.obj


def who_acts(name: str | None, *, dossier_data: bool = True) -> str:
    """``--as`` / ``--by``, else ``CFC_USER``; required for dossier data, else the login name."""
    user = name or settings().user
    if user:
        return user
    if dossier_data:
        raise click.UsageError(tr(N_("cần nói ai thực hiện: --as TÊN_ĐĂNG_NHẬP (hoặc đặt CFC_USER)")))
    return getpass.getuser()


def registry() -> Registry:
    try:
        return settings().registry()
    except CriteriaError as exc:
        fail(tr(N_("bộ tiêu chí không hợp lệ (%(count)s vấn đề):", count=len(exc.problems))) + "\n"
             + problem_lines(exc))


def problem_lines(exc: CriteriaError) -> str:
    """Every problem of a criteria file, one a line ("file:line: field: why"), the why in the run's language."""
    return "\n".join(nfc(f"{p.file}:{p.line}: {p.field}: {tr(p.message)}" if p.line else
                          f"{p.file}: {p.field}: {tr(p.message)}") for p in exc.problems)


@contextlib.contextmanager
def refusals() -> Iterator[None]:
    """Turn the errors the application raises on purpose into a message and exit 1."""
    try:
        yield
    except AssessmentError as exc:
        fail("\n".join(tr(p.describe()) for p in exc.problems) if exc.problems else exc.args[0])
    except CfcError as exc:
        fail(exc.args[0] if exc.args else str(exc))


@contextlib.contextmanager
def open_service():
    """The dossier service over this deployment's database; the connections are closed afterwards."""
    from sqlalchemy import inspect

    from certificates.signature import signable_pdf
    from dossiers.db import make_engine, session_factory
    from dossiers.service import DossierService

    current = settings()
    engine = make_engine(current.database_url)
    try:
        if not inspect(engine).has_table("dossiers"):
            fail(N_("cơ sở dữ liệu chưa có bảng: chạy `cfc db upgrade` (rồi `cfc demo load` cho bản thử)"))
        with refusals():
            service = DossierService(session_factory(engine), registry=registry(), settings=current)
            service.renderer = signable_pdf  # documents are signed at issuance
            yield service
    finally:
        engine.dispose()


def parse_day(value: str | None, option: str = "--on") -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(tr(N_("cần ngày dạng YYYY-MM-DD, nhận được «%(value)s»", value=value)),
                                 param_hint=option) from None


def out_path(path: Path, allowed: tuple[str, ...]) -> Path:
    if path.suffix.lower() not in allowed:
        suffixes = N_("%(first)s hoặc %(last)s", first=", ".join(allowed[:-1]), last=allowed[-1]) \
            if len(allowed) > 1 else allowed[0]
        raise click.BadParameter(tr(N_("%(file)s: hãy ghi ra tệp %(suffixes)s", file=path.name, suffixes=suffixes)),
                                 param_hint="-o")
    return path


def write_file(data: bytes, output: Path) -> None:
    """Write atomically (``-``: standard output)."""
    if str(output) == "-":
        sys.stdout.buffer.write(data)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(output)


@contextlib.contextmanager
def progress(label, length: int):
    """A progress bar on stderr, its label (a message or text) in the run's language."""
    with click.progressbar(length=length, label=tr(label).ljust(10), file=sys.stderr, width=36,
                           show_pos=True) as bar:
        yield bar
