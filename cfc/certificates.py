"""``cfc certificates``: print a province's certificates, a recognition or revocation decision, the appraisal
minutes; check and re-issue a serial number. Data from ``dossiers.issuance``, PDF bytes from ``certificates``.

The verification address printed in every QR code is ``{base URL}/verify/{serial}``; the base URL comes from
``--base-url``, else ``CFC_BASE_URL``, else the stored setting ``public_base_url``. Commands that issue or show
a dossier's documents act as ``--as USERNAME`` (or ``CFC_USER``), checked for role and jurisdiction. A document
signed at issuance is written as its recorded signed file (``dossiers.issuance.signing_store``); ``check FILE.pdf``
checks a PDF's signatures offline, and with ``--serial`` compares it with the documents issued under a serial.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

import certificates as docs
from certificates.signature import signable_pdf
from dossiers import issuance
from dossiers.config import public_base_url
from dossiers.issuance.pdf_bounds import TooComplex
from dossiers.issuance.signing_check import check_signatures
from dossiers.issuance.signing_issue import reissue_certificate
from dossiers.issuance.signing_store import served
from dossiers.issuance.signing_verify import MAX_UPLOAD, check_upload
from engine.messages import N_, Message

from .certificates_round import SIGNED, round_fields, sign_batch, sign_each, signing
from .certificates_text import check_lines, verification_lines
from .common import (
    AS_OPTION,
    DOSSIER_ID,
    ROUND,
    fail,
    nfc,
    open_service,
    say,
    settings,
    tr,
    who_acts,
    write_file,
)

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
        fields, skipped = round_fields(s, service.registry, province, year, username, url, signer)
        issuance.check_samples(s, any(f["provisional"] for f in fields))
        signatures = sign_each(s, service.registry, province, year, url, fields)
    for line in skipped:
        say(N_("bỏ qua %(what)s", what=line), err=True)
    if not fields:
        fail(N_("không có xã nào được công nhận của tỉnh %(province)s năm %(year)s in được (%(count)s hồ sơ bị bỏ "
                "qua)", province=province, year=str(year), count=len(skipped)) if skipped else
             N_("không có xã nào được công nhận của tỉnh %(province)s năm %(year)s", province=province, year=str(year)))
    items = [docs.from_dict(docs.CertificateData, f) for f in fields]
    with click.progressbar(length=len(items), label=tr(N_("In giấy công nhận")), file=sys.stderr) as bar:
        pdf = docs.certificates_batch_pdf(items, progress=lambda _item: bar.update(1))
    pdf, batch_note = sign_batch(pdf, fields, signatures)
    target = _target(output, f"giay-cong-nhan-{province}-{year}.pdf")
    write_file(pdf, target)
    samples = Message(" %(note)s", note=N_("(BẢN MẪU: bộ tiêu chí tạm thời)")) \
        if any(i.provisional for i in items) else ""
    say(N_("%(count)s giấy công nhận, số hiệu %(first)s … %(last)s%(samples)s → %(file)s (%(size)s bytes; "
           "%(note)s)", count=len(items), first=items[0].serial, last=items[-1].serial, samples=samples,
           file=str(target), size=len(pdf), note=batch_note), err=True)
    if skipped:
        fail(N_("%(count)s hồ sơ không in được (xem trên)", count=len(skipped)))


def _write_document(pdf: bytes, signed: bool, target: Path) -> Message:
    """Write the document (its recorded signed file, else its unsigned bytes); says which."""
    write_file(pdf, target)
    return SIGNED if signed else N_("KHÔNG có chữ ký số")


def _dossier_document(dossier_id: int, actor: str | None, kind: str, build) -> tuple[dict, bytes, bool]:
    """One dossier's ``kind`` document after the web's role and jurisdiction checks: fields, bytes, signed?"""
    username = who_acts(actor)
    with open_service() as service, service.transaction(readonly=True) as s:
        dossier = issuance.check_document_access(s, username, dossier_id, kind, service.procedures)
        fields = build(s, dossier, service.registry)
        issuance.check_samples(s, fields["provisional"])
        pdf, signed = served(signing(), s, dossier_id, kind, fields, signable_pdf)  # a file missing: refused
    return fields, pdf, signed


@certificates.command("decision")
@click.argument("dossier_id", type=DOSSIER_ID)
@OUTPUT
@click.option("--signer", default="", help="Name of the signer (default: the one recorded with the decision).")
@AS_OPTION
def print_decision(dossier_id: int, output: Path | None, signer: str, actor: str | None) -> None:
    """The recognition decision that lists the dossier's commune."""
    fields, pdf, signed = _dossier_document(
        dossier_id, actor, "decision", lambda s, d, reg: issuance.decision_fields(s, d, reg, signer_name=signer))
    target = _target(output, f"quyet-dinh-{fields['number'].replace('/', '-')}.pdf")
    signed = _write_document(pdf, signed, target)
    say(N_("Quyết định số %(number)s (%(count)s đơn vị) → %(file)s; %(signed)s", number=fields["number"],
           count=len(fields["communes"]), file=str(target), signed=signed), err=True)


@certificates.command("revocation")
@click.argument("dossier_id", type=DOSSIER_ID)
@OUTPUT
@click.option("--signer", default="", help="Name of the signer (default: the one recorded with the revocation).")
@AS_OPTION
def print_revocation(dossier_id: int, output: Path | None, signer: str, actor: str | None) -> None:
    """The decision that revoked the dossier's recognition (revoked dossiers only)."""
    fields, pdf, signed = _dossier_document(
        dossier_id, actor, "revocation", lambda s, d, reg: issuance.revocation_fields(s, d, reg, signer_name=signer))
    target = _target(output, f"quyet-dinh-thu-hoi-{fields['number'].replace('/', '-')}.pdf")
    signed = _write_document(pdf, signed, target)
    say(N_("Quyết định thu hồi số %(number)s (%(commune)s) → %(file)s; %(signed)s", number=fields["number"],
           commune=fields["commune"], file=str(target), signed=signed), err=True)


@certificates.command("minutes")
@click.argument("dossier_id", type=DOSSIER_ID)
@OUTPUT
@AS_OPTION
def print_minutes(dossier_id: int, output: Path | None, actor: str | None) -> None:
    """The appraisal minutes of a dossier (from its verification on)."""
    _fields, pdf, signed = _dossier_document(dossier_id, actor, "minutes", issuance.minutes_fields)
    target = _target(output, f"bien-ban-tham-dinh-{dossier_id}.pdf")
    signed = _write_document(pdf, signed, target)
    say(N_("Biên bản thẩm định hồ sơ %(id)s → %(file)s; %(signed)s", id=str(dossier_id), file=str(target),
           signed=signed), err=True)


@certificates.command("verify")
@click.argument("serial")
@BASE_URL
@click.option("--json", "as_json", is_flag=True, help="Print every field as JSON.")
def verify(serial: str, base_url: str | None, as_json: bool) -> None:
    """What the public verification page shows of a serial number (no sign-in); exit 1 unless it is valid."""
    with open_service() as service, service.transaction(readonly=True) as s:
        found = issuance.verification(s, serial, public_base_url(settings(), s, base_url), service.registry)
    if found is None:
        fail(N_("không có giấy công nhận số hiệu %(serial)s", serial=serial))
    click.echo(issuance.to_json(found) if as_json else nfc("\n".join(verification_lines(found))))
    if found["status"]["status"] != "valid":
        sys.exit(1)


@certificates.command("reissue")
@click.argument("serial")
@click.option("--reason", required=True, help="Why (lost, damaged, corrected names…).")
@AS_OPTION
def reissue(serial: str, reason: str, actor: str | None) -> None:
    """Replace a certificate by a new serial number (signed when a key is configured); the old is superseded."""
    username = who_acts(actor)
    with open_service() as service:
        new = reissue_certificate(service, username, serial, reason)
    click.echo(json.dumps({"old": serial, "new": new}, ensure_ascii=False))


@certificates.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--serial", help="Also compare the file with the documents issued under this serial (needs the "
                               "database).")
@BASE_URL
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def check(file: Path, serial: str | None, base_url: str | None, as_json: bool) -> None:
    """Check a PDF's digital signatures offline: intact, covering the whole file, chaining to a configured trust
    root, made with a key neither expired nor revoked. Exit 0 only when every check passes (an unsigned file
    fails)."""
    data = file.read_bytes()
    if len(data) > MAX_UPLOAD * 10:
        fail(N_("%(file)s: tệp lớn hơn %(mb)s MB", file=str(file), mb=MAX_UPLOAD * 10 // (1024 * 1024)))
    signing_ = signing()
    try:
        checks = check_signatures(data, signing_.config)
    except TooComplex as exc:  # a file that would take too much work to read: say why, check nothing
        fail(exc.args[0])
    matched = None
    if serial:
        with open_service() as service, service.transaction(readonly=True) as s:
            if issuance.lookup(s, serial) is None:
                fail(N_("không có giấy công nhận số hiệu %(serial)s", serial=serial))
            url = public_base_url(settings(), s, base_url)
            result = check_upload(s, serial, data, url, service.registry, signable_pdf, signing_)
            matched = result.matched_label or ""
    ok = bool(checks) and all(c.ok for c in checks) and (serial is None or bool(matched))
    if as_json:
        click.echo(json.dumps({"file": str(file), "ok": ok, "signatures": [c.as_dict() for c in checks],
                               "serial": serial, "matched": matched}, ensure_ascii=False))
    else:
        click.echo(nfc("\n".join(check_lines(file, checks, serial, matched, signing_.config is not None))))
    if not ok:
        sys.exit(1)
