"""``cfc certificates``: print the certificates of a province's round, a decision, the appraisal minutes; check
and re-issue a serial number. Thin over ``engine.store.issuance`` (data) and ``certificates`` (PDF bytes).

The verification address printed in every QR code is ``{base URL}/verify/{serial}``; the base URL comes from
``--base-url``, else ``CFC_BASE_URL``, else the stored setting ``public_base_url``. Every command honours
DATABASE_URL and CFC_INSTANCE_DIR; issuing serial numbers is recorded in the audit trail under ``--as`` (default
$CFC_USER, else the system user).
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import click
from sqlalchemy.orm import Session

import certificates as docs
from engine.errors import CfcError
from engine.loader import Registry
from engine.store import issuance
from engine.store.db import instance_dir, make_engine, session_factory
from engine.store.models import Dossier, Setting


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _fail(message: str, code: int = 1) -> None:
    click.echo(_nfc(message), err=True)
    sys.exit(code)


@contextlib.contextmanager
def _session() -> Iterator[Session]:
    engine = make_engine()
    session = session_factory(engine)()
    try:
        with session.begin():
            yield session
    finally:
        session.close()
        engine.dispose()


def _actor(actor: str | None) -> str:
    return actor or os.environ.get("CFC_USER") or getpass.getuser()


def _base_url(session: Session, option: str | None) -> str:
    url = option or os.environ.get("CFC_BASE_URL")
    if not url:
        row = session.get(Setting, "public_base_url")
        url = row.value if row is not None else None
    if not url:
        raise CfcError("say where certificates are verified: --base-url URL, CFC_BASE_URL, or the setting "
                       "public_base_url (the QR code holds URL/verify/SERIAL)")
    return str(url)


def _check_samples(session: Session, provisional: bool) -> None:
    if provisional and not issuance.samples_allowed(session):
        raise CfcError("bộ tiêu chí còn tạm thời và hệ thống không cho phép in văn bản mẫu "
                       "(allow_sample_documents)")


def _write(data: bytes, output: Path) -> None:
    if str(output) == "-":
        sys.stdout.buffer.write(data)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(output)


def _dossier(session: Session, dossier_id: int) -> Dossier:
    dossier = session.get(Dossier, dossier_id)
    if dossier is None:
        raise CfcError(f"không có hồ sơ {dossier_id}")
    return dossier


def register(main: click.Group) -> None:
    main.add_command(certificates)


@click.group()
def certificates() -> None:
    """Giấy công nhận, quyết định công nhận, biên bản thẩm định (PDF); kiểm tra số hiệu."""


OUTPUT = click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                      help="The PDF file ('-' for standard output); default: in the instance folder.")


@certificates.command("print")
@click.option("--province", "province", required=True, help="Official code of the province, e.g. 62.")
@click.option("--round", "year", type=int, required=True, help="Year of the assessment round.")
@OUTPUT
@click.option("--base-url", help="Public address of the verification pages.")
@click.option("--signer", default="", help="Name of the signer printed under the signature.")
@click.option("--as", "actor", help="Who issues the serial numbers (audit trail).")
def print_round(province: str, year: int, output: Path | None, base_url: str | None, signer: str,
                actor: str | None) -> None:
    """One PDF with the certificate of every recognised commune of a province's round.

    Communes without a certificate get a serial number now; printing again gives the same serials and the same
    bytes."""
    registry = Registry.load()
    try:
        with _session() as s:
            url = _base_url(s, base_url)
            issued = issuance.issue_round(s, province, year, _actor(actor))
            config = issuance.load_documents()
            fields = [issuance.certificate_fields(s, c, url, registry, signer, config) for c in issued]
            _check_samples(s, any(f["provisional"] for f in fields))
    except CfcError as exc:
        _fail(str(exc))
    if not fields:
        _fail(f"không có xã nào được công nhận của tỉnh {province} năm {year}")
    items = [docs.from_dict(docs.CertificateData, f) for f in fields]
    with click.progressbar(length=len(items), label="In giấy công nhận", file=sys.stderr) as bar:
        pdf = docs.certificates_batch_pdf(items, progress=lambda _item: bar.update(1))
    target = output or instance_dir() / "documents" / f"giay-cong-nhan-{province}-{year}.pdf"
    _write(pdf, target)
    samples = " (BẢN MẪU: bộ tiêu chí tạm thời)" if any(i.provisional for i in items) else ""
    click.echo(_nfc(f"{len(items)} giấy công nhận, số hiệu {items[0].serial} … {items[-1].serial}{samples} → "
                    f"{target} ({len(pdf):,} bytes)"), err=True)


@certificates.command("decision")
@click.argument("dossier_id", type=int)
@OUTPUT
@click.option("--signer", default="", help="Name of the signer.")
def print_decision(dossier_id: int, output: Path | None, signer: str) -> None:
    """The recognition decision that lists the dossier's commune."""
    try:
        with _session() as s:
            fields = issuance.decision_fields(s, _dossier(s, dossier_id), signer_name=signer)
            _check_samples(s, fields["provisional"])
    except CfcError as exc:
        _fail(str(exc))
    pdf = docs.decision_pdf(docs.from_dict(docs.DecisionData, fields))
    safe = fields["number"].replace("/", "-")
    target = output or instance_dir() / "documents" / f"quyet-dinh-{safe}.pdf"
    _write(pdf, target)
    click.echo(_nfc(f"Quyết định số {fields['number']} ({len(fields['communes'])} đơn vị) → {target}"), err=True)


@certificates.command("minutes")
@click.argument("dossier_id", type=int)
@OUTPUT
def print_minutes(dossier_id: int, output: Path | None) -> None:
    """The appraisal minutes of a dossier (from its verification on)."""
    try:
        with _session() as s:
            fields = issuance.minutes_fields(s, _dossier(s, dossier_id))
            _check_samples(s, fields["provisional"])
    except CfcError as exc:
        _fail(str(exc))
    pdf = docs.minutes_pdf(docs.from_dict(docs.MinutesData, fields))
    target = output or instance_dir() / "documents" / f"bien-ban-tham-dinh-{dossier_id}.pdf"
    _write(pdf, target)
    click.echo(_nfc(f"Biên bản thẩm định hồ sơ {dossier_id} → {target}"), err=True)


@certificates.command("verify")
@click.argument("serial")
@click.option("--base-url", help="Public address of the verification pages.")
@click.option("--json", "as_json", is_flag=True, help="Print every field as JSON.")
def verify(serial: str, base_url: str | None, as_json: bool) -> None:
    """What the public verification page shows of a serial number; exit 1 unless it is valid."""
    try:
        with _session() as s:
            found = issuance.verification(s, serial, _base_url(s, base_url))
    except CfcError as exc:
        _fail(str(exc))
    if found is None:
        _fail(f"không có giấy công nhận số hiệu {serial}")
    if as_json:
        click.echo(issuance.to_json(found))
    else:
        status = found["status"]
        lines = [f"Số hiệu {found['serial']}: {status['label']}",
                 f"{found['commune']}, {', '.join(x for x in (found['district'], found['province']) if x)}",
                 f"Năm {found['year']}; Quyết định số {found['decision_number']} ngày "
                 f"{found['decision_date']:%d/%m/%Y}; bộ tiêu chí {found['criteria_version']}"]
        if status["status"] == "revoked":
            lines.append(f"Thu hồi ngày {status['revoked_on']:%d/%m/%Y}: {status['revoke_reason']}")
        if status["status"] == "superseded":
            lines.append(f"Thay thế bằng số hiệu {status['superseded_by']}")
        click.echo(_nfc("\n".join(lines)))
    if found["status"]["status"] != "valid":
        sys.exit(1)


@certificates.command("reissue")
@click.argument("serial")
@click.option("--reason", required=True, help="Why (lost, damaged, corrected names…).")
@click.option("--as", "actor", help="Who re-issues (audit trail).")
def reissue(serial: str, reason: str, actor: str | None) -> None:
    """Replace a certificate by a new serial number; the old one shows as superseded."""
    try:
        with _session() as s:
            new = issuance.reissue(s, serial, _actor(actor), reason)
            click.echo(json.dumps({"old": serial, "new": new.serial}, ensure_ascii=False))
    except CfcError as exc:
        _fail(str(exc))
