"""``cfc signing``: the operators' view of the digital signatures — which keys are configured for which issuing
body and dates (``keys``), a trial signature with one body's key, checked at once (``test``), and signing the
issued documents of a dossier that were left unsigned (``issue``: no key was configured then, or it had expired),
which also records the documents signed before the records existed (migration 0007).
The configuration is ``dossiers.issuance.keys`` (``CFC_SIGNING_KEYS``, else ``signing/keys.yaml`` in the
instance folder)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from certificates.signature import signable_pdf, trial_pdf
from dossiers import issuance
from dossiers.issuance.keys import SigningConfigError, open_key
from dossiers.issuance.signing import Appearance, Placement, SigningRefused, check_validity, sign_pdf
from dossiers.issuance.signing_check import check_signatures
from dossiers.issuance.signing_issue import KINDS_OF_STATE, issue_documents
from dossiers.issuance.signing_store import Signing
from dossiers.models import Dossier

from .common import AS_OPTION, DOSSIER_ID, fail, nfc, open_service, settings, who_acts, write_file


def _signing() -> Signing:
    try:
        signing = Signing.from_settings(settings())
    except SigningConfigError as exc:
        fail(str(exc))
    if signing.config is None:
        fail("chưa cấu hình khóa ký số (CFC_SIGNING_KEYS hoặc signing/keys.yaml trong thư mục instance): "
             "văn bản được cấp không có chữ ký số")
    return signing


@click.group()
def signing() -> None:
    """Khóa ký số của các cơ quan ban hành: cấu hình, ký thử, ký văn bản đã cấp."""


@signing.command("keys")
def keys() -> None:
    """Every configured key: issuing unit, documents, dates, where it is, its certificate and validity; exit 1
    when a key cannot be opened or is out of date."""
    signing_ = _signing()
    config = signing_.config
    click.echo(nfc(f"Cấu hình: {signing_.config_path}" + (" (DEMO: chữ ký thử, không có giá trị pháp lý)"
                                                         if config.demo else "")))
    click.echo(f"Dấu thời gian: {config.timestamp_url or 'không (PAdES B-B)'}")
    for root in config.trust.roots:
        click.echo(f"Tin cậy: {root}")
    for crl in config.trust.crls:
        click.echo(f"Danh sách thu hồi: {crl}")
    problems = 0
    revoked = signing_.revoked_serials()
    for i, entry in enumerate(config.keys):
        dates = f"{entry.effective_from:%d/%m/%Y} – {entry.effective_to:%d/%m/%Y}" if entry.effective_to \
            else f"từ {entry.effective_from:%d/%m/%Y}"
        line = f"[{i}] đơn vị {entry.unit}, văn bản {entry.body}, {dates}: {entry.where}"
        try:
            with open_key(signing_.config_path, i, entry, signing_.secret) as key:
                cert = key.certificate
            line += (f"\n    chứng thư {cert.subject.rfc4514_string()}, hiệu lực "
                     f"{cert.not_valid_before_utc:%d/%m/%Y} – {cert.not_valid_after_utc:%d/%m/%Y}")
            check_validity(key, revoked=revoked)
            line += ": dùng được"
        except (SigningConfigError, SigningRefused) as exc:
            problems += 1
            line += f"\n    LỖI: {exc}"
        click.echo(nfc(line))
    if not config.keys:
        click.echo("Không có khóa nào: văn bản được cấp không có chữ ký số.")
    if problems:
        fail(f"{problems} khóa không dùng được")


@signing.command("test")
@click.argument("issuer")
@click.option("--body", type=click.Choice(["decision", "minutes"]), default="decision", show_default=True,
              help="decision: decisions and certificates; minutes: the appraisal panel's minutes.")
@click.option("--on", "day", type=click.DateTime(["%Y-%m-%d"]), help="The document date (default today).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Keep the signed test PDF.")
def trial(issuer: str, body: str, day: dt.datetime | None, output: Path | None) -> None:
    """Sign a test document with the key of ISSUER (the issuing unit's code) and check the signature."""
    signing_ = _signing()
    when = day.date() if day else dt.date.today()
    try:
        key = signing_.key(issuer, body, when)
        if key is None:
            fail(f"không có khóa cho đơn vị {issuer}, văn bản {body}, ngày {when:%d/%m/%Y}")
        pdf, spot = trial_pdf(f"Đơn vị {issuer}", when)
        with key:
            signed = sign_pdf(pdf, key, Placement(spot.page, spot.box, spot.font),
                              Appearance("", "", f"Đơn vị {issuer}", signing_.config.demo),
                              signing_.config.timestamp_url, signing_.revoked_serials())
    except (SigningConfigError, SigningRefused) as exc:
        fail(str(exc))
    if output:
        write_file(signed, output)
    checks = check_signatures(signed, signing_.config)
    for check in checks:
        click.echo(nfc(f"{check.label}: {check.signer} (cấp bởi {check.issuer})"))
    if not checks or not all(c.ok for c in checks):
        fail("chữ ký thử không hợp lệ")


@signing.command("issue")
@click.argument("dossier_id", type=DOSSIER_ID)
@AS_OPTION
def issue(dossier_id: int, actor: str | None) -> None:
    """Sign, keep and record the dossier's issued documents that are not signed yet (after a key was configured
    or renewed), and record those signed before records were kept; each document needs its download
    permission."""
    username = who_acts(actor)
    signing_ = _signing()
    with open_service() as service:
        with service.transaction(readonly=True) as s:
            status = s.get(Dossier, dossier_id).status if s.get(Dossier, dossier_id) else None
            kinds = KINDS_OF_STATE.get(status or "", ())
            for kind in kinds:
                issuance.check_document_access(s, username, dossier_id, kind, service.procedures)
        if not kinds:
            fail(f"hồ sơ {dossier_id} chưa có văn bản nào được cấp")
        results = issue_documents(service, dossier_id, kinds, signable_pdf, signing_)
    for kind, result in results.items():
        click.echo(nfc(f"{kind}: {'đã ký số' if result == 'signed' else result}"))
    if any(r != "signed" for r in results.values()):
        fail("có văn bản chưa được ký số")
