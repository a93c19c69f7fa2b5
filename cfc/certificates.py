"""``cfc certificates``: print a province's certificates, a recognition or revocation decision, the appraisal
minutes; check and re-issue a serial number. Data from ``dossiers.issuance``, PDF bytes from ``certificates``.

The verification address printed in every QR code is ``{base URL}/verify/{serial}``; the base URL comes from
``--base-url``, else ``CFC_BASE_URL``, else the stored setting ``public_base_url``. Commands that issue or show
a dossier's documents act as ``--as USERNAME`` (or ``CFC_USER``), checked for role and jurisdiction.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

import certificates as docs
from dossiers import issuance
from dossiers.config import public_base_url
from engine.errors import CfcError
from engine.numbers import format_number

from .common import AS_OPTION, DOSSIER_ID, ROUND, fail, nfc, open_service, settings, who_acts, write_file

OUTPUT = click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                      help="The PDF file ('-' for standard output); default: in the instance folder.")
BASE_URL = click.option("--base-url", help="Public address of the verification pages.")


def _target(output: Path | None, name: str) -> Path:
    return output or settings().instance() / "documents" / name


@click.group()
def certificates() -> None:
    """Giấy công nhận, quyết định công nhận, quyết định thu hồi, biên bản thẩm định (PDF); kiểm tra số hiệu."""


@certificates.command("print")
@click.option("--province", "province", required=True, help="Official code of the province, e.g. 62.")
@click.option("--round", "year", type=ROUND, required=True, help="Year of the assessment round.")
@OUTPUT
@BASE_URL
@click.option("--signer", default="",
              help="Name of the signer printed under the signature (default: who signed each decision).")
@AS_OPTION
def print_round(province: str, year: int, output: Path | None, base_url: str | None, signer: str,
                actor: str | None) -> None:
    """One PDF with the certificate of every recognised commune of a province's round.

    Communes without a certificate get a serial number now; printing again gives the same serials and the same
    bytes. A dossier that cannot be printed (e.g. recognised without a decision: see `cfc dossier
    amend-decision`) is listed on standard error and the others are printed; the exit status is then 1."""
    username = who_acts(actor)
    with open_service() as service, service.transaction() as s:
        issuance.check_province_access(s, username, province, year, service.procedures)
        url = public_base_url(settings(), s, base_url)
        fields, skipped = _round_fields(s, service.registry, province, year, username, url, signer)
        issuance.check_samples(s, any(f["provisional"] for f in fields))
    for line in skipped:
        click.echo(nfc(f"bỏ qua {line}"), err=True)
    if not fields:
        fail(f"không có xã nào được công nhận của tỉnh {province} năm {year}"
             + (f" in được ({len(skipped)} hồ sơ bị bỏ qua)" if skipped else ""))
    items = [docs.from_dict(docs.CertificateData, f) for f in fields]
    with click.progressbar(length=len(items), label="In giấy công nhận", file=sys.stderr) as bar:
        pdf = docs.certificates_batch_pdf(items, progress=lambda _item: bar.update(1))
    target = _target(output, f"giay-cong-nhan-{province}-{year}.pdf")
    write_file(pdf, target)
    samples = " (BẢN MẪU: bộ tiêu chí tạm thời)" if any(i.provisional for i in items) else ""
    click.echo(nfc(f"{len(items)} giấy công nhận, số hiệu {items[0].serial} … {items[-1].serial}{samples} → "
                   f"{target} ({format_number(len(pdf))} bytes)"), err=True)
    if skipped:
        fail(f"{len(skipped)} hồ sơ không in được (xem trên)")


def _round_fields(s, registry, province: str, year: int, username: str, url: str, signer: str
                  ) -> tuple[list[dict], list[str]]:
    """The certificate fields of every printable dossier of the round, and a line for each one skipped."""
    problems: list = []
    issued = issuance.issue_round(s, province, year, username, skipped=problems)
    skipped = [why if why.startswith(f"hồ sơ {d.id} ") else f"hồ sơ {d.id} ({d.commune.name}): {why}"
               for d, why in problems]
    config = issuance.load_documents()
    fields = []
    for cert in issued:
        try:
            fields.append(issuance.certificate_fields(s, cert, url, registry, signer, config))
        except CfcError as exc:
            skipped.append(f"giấy công nhận {cert.serial}: {exc}")
    return fields, skipped


def _dossier_fields(dossier_id: int, actor: str | None, kind: str, build) -> dict:
    """Fields of one dossier's ``kind`` document, after the role and jurisdiction checks the web makes too."""
    username = who_acts(actor)
    with open_service() as service, service.transaction(readonly=True) as s:
        dossier = issuance.check_document_access(s, username, dossier_id, kind, service.procedures)
        fields = build(s, dossier, service.registry)
        issuance.check_samples(s, fields["provisional"])
    return fields


@certificates.command("decision")
@click.argument("dossier_id", type=DOSSIER_ID)
@OUTPUT
@click.option("--signer", default="", help="Name of the signer (default: the one recorded with the decision).")
@AS_OPTION
def print_decision(dossier_id: int, output: Path | None, signer: str, actor: str | None) -> None:
    """The recognition decision that lists the dossier's commune."""
    fields = _dossier_fields(dossier_id, actor, "decision", lambda s, d, reg: issuance.decision_fields(
        s, d, reg, signer_name=signer))
    pdf = docs.decision_pdf(docs.from_dict(docs.DecisionData, fields))
    target = _target(output, f"quyet-dinh-{fields['number'].replace('/', '-')}.pdf")
    write_file(pdf, target)
    click.echo(nfc(f"Quyết định số {fields['number']} ({len(fields['communes'])} đơn vị) → {target}"), err=True)


@certificates.command("revocation")
@click.argument("dossier_id", type=DOSSIER_ID)
@OUTPUT
@click.option("--signer", default="", help="Name of the signer (default: the one recorded with the revocation).")
@AS_OPTION
def print_revocation(dossier_id: int, output: Path | None, signer: str, actor: str | None) -> None:
    """The decision that revoked the dossier's recognition (revoked dossiers only)."""
    fields = _dossier_fields(dossier_id, actor, "revocation", lambda s, d, reg: issuance.revocation_fields(
        s, d, reg, signer_name=signer))
    pdf = docs.revocation_pdf(docs.from_dict(docs.RevocationData, fields))
    target = _target(output, f"quyet-dinh-thu-hoi-{fields['number'].replace('/', '-')}.pdf")
    write_file(pdf, target)
    click.echo(nfc(f"Quyết định thu hồi số {fields['number']} ({fields['commune']}) → {target}"), err=True)


@certificates.command("minutes")
@click.argument("dossier_id", type=DOSSIER_ID)
@OUTPUT
@AS_OPTION
def print_minutes(dossier_id: int, output: Path | None, actor: str | None) -> None:
    """The appraisal minutes of a dossier (from its verification on)."""
    fields = _dossier_fields(dossier_id, actor, "minutes", issuance.minutes_fields)
    pdf = docs.minutes_pdf(docs.from_dict(docs.MinutesData, fields))
    target = _target(output, f"bien-ban-tham-dinh-{dossier_id}.pdf")
    write_file(pdf, target)
    click.echo(nfc(f"Biên bản thẩm định hồ sơ {dossier_id} → {target}"), err=True)


def _verification_lines(found: dict) -> list[str]:
    status = found["status"]
    lines = [f"Số hiệu {found['serial']}: {status['label']}",
             f"{found['commune']}, {', '.join(x for x in (found['district'], found['province']) if x)}",
             f"Năm {found['year']}; Quyết định số {found['decision_number']} ngày "
             f"{found['decision_date']:%d/%m/%Y}; bộ tiêu chí {found['criteria_version']}"]
    if status["status"] == "revoked":
        decision = f" theo Quyết định số {status['revocation_number']}" if status["revocation_number"] else ""
        lines.append(f"Thu hồi{decision} ngày {status['revoked_on']:%d/%m/%Y}: {status['revoke_reason'] or ''}")
    if status["status"] == "superseded":
        lines.append(f"Thay thế bằng số hiệu {status['superseded_by']}")
    return lines


@certificates.command("verify")
@click.argument("serial")
@BASE_URL
@click.option("--json", "as_json", is_flag=True, help="Print every field as JSON.")
def verify(serial: str, base_url: str | None, as_json: bool) -> None:
    """What the public verification page shows of a serial number (no sign-in); exit 1 unless it is valid."""
    with open_service() as service, service.transaction(readonly=True) as s:
        found = issuance.verification(s, serial, public_base_url(settings(), s, base_url), service.registry)
    if found is None:
        fail(f"không có giấy công nhận số hiệu {serial}")
    click.echo(issuance.to_json(found) if as_json else nfc("\n".join(_verification_lines(found))))
    if found["status"]["status"] != "valid":
        sys.exit(1)


@certificates.command("reissue")
@click.argument("serial")
@click.option("--reason", required=True, help="Why (lost, damaged, corrected names…).")
@AS_OPTION
def reissue(serial: str, reason: str, actor: str | None) -> None:
    """Replace a certificate by a new serial number; the old one shows as superseded."""
    username = who_acts(actor)
    with open_service() as service, service.transaction() as s:
        issuance.check_serial_access(s, username, serial, service.procedures)
        new = issuance.reissue(s, serial, username, reason)
        click.echo(json.dumps({"old": serial, "new": new.serial}, ensure_ascii=False))
