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
from engine.messages import N_, Message, message_of

from .common import AS_OPTION, DOSSIER_ID, fail, open_service, say, settings, tr, who_acts, write_file

RESULTS = {"signed": N_("đã ký số"),
           "unsigned": N_("chưa ký số: không có khóa cho cơ quan ban hành vào ngày của văn bản")}


def _signing() -> Signing:
    try:
        signing = Signing.from_settings(settings())
    except SigningConfigError as exc:
        fail(str(exc))
    if signing.config is None:
        fail(N_("chưa cấu hình khóa ký số (CFC_SIGNING_KEYS hoặc signing/keys.yaml trong thư mục instance): "
                "văn bản được cấp không có chữ ký số"))
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
    say(N_("Cấu hình: %(file)s (DEMO: chữ ký thử, không có giá trị pháp lý)", file=str(signing_.config_path))
        if config.demo else N_("Cấu hình: %(file)s", file=str(signing_.config_path)))
    say(N_("Dấu thời gian: %(url)s", url=config.timestamp_url or N_("không (PAdES B-B)")))
    for root in config.trust.roots:
        say(N_("Tin cậy: %(file)s", file=str(root)))
    for crl in config.trust.crls:
        say(N_("Danh sách thu hồi: %(file)s", file=str(crl)))
    problems = 0
    revoked = signing_.revoked_serials()
    for i, entry in enumerate(config.keys):
        parts, usable = _key_lines(signing_, i, entry, revoked)
        click.echo("".join(tr(part) for part in parts))
        problems += not usable
    if not config.keys:
        say(N_("Không có khóa nào: văn bản được cấp không có chữ ký số."))
    if problems:
        fail(N_("%(count)s khóa không dùng được", count=problems))


def _key_lines(signing_: Signing, i: int, entry, revoked: set[int]) -> tuple[list, bool]:
    """What ``keys`` says of the key ``i``: where it is, its certificate and whether it can sign now."""
    dates = f"{entry.effective_from:%d/%m/%Y} – {entry.effective_to:%d/%m/%Y}" if entry.effective_to \
        else N_("từ %(day)s", day=entry.effective_from.strftime("%d/%m/%Y"))
    parts: list = [N_("[%(index)s] đơn vị %(unit)s, văn bản %(body)s, %(dates)s: %(where)s", index=str(i),
                      unit=entry.unit, body=entry.body, dates=dates, where=entry.where)]
    try:
        with open_key(signing_.config_path, i, entry, signing_.secret) as key:
            cert = key.certificate
        start, end = (f"{moment:%d/%m/%Y}" for moment in (cert.not_valid_before_utc, cert.not_valid_after_utc))
        parts += ["\n    ", N_("chứng thư %(subject)s, hiệu lực %(start)s – %(end)s",
                                subject=cert.subject.rfc4514_string(), start=start, end=end)]
        check_validity(key, revoked=revoked)
        parts += [": ", N_("dùng được")]
    except (SigningConfigError, SigningRefused) as exc:
        parts += ["\n    ", N_("LỖI: %(error)s", error=message_of(exc))]
        return parts, False
    return parts, True


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
            fail(N_("không có khóa cho đơn vị %(unit)s, văn bản %(body)s, ngày %(day)s", unit=issuer, body=body,
                    day=when.strftime("%d/%m/%Y")))
        pdf, spot = trial_pdf(f"Đơn vị {issuer}", when)
        with key:
            signed = sign_pdf(pdf, key, Placement(spot.page, spot.box, spot.font),
                              Appearance("", "", f"Đơn vị {issuer}", signing_.config.demo),
                              signing_.config.timestamp_url, signing_.revoked_serials())
    except (SigningConfigError, SigningRefused) as exc:
        fail(message_of(exc))
    if output:
        write_file(signed, output)
    checks = check_signatures(signed, signing_.config)
    for check in checks:
        say(N_("%(label)s: %(signer)s (cấp bởi %(issuer)s)", label=check.label, signer=check.signer,
               issuer=check.issuer))
    if not checks or not all(c.ok for c in checks):
        fail(N_("chữ ký thử không hợp lệ"))


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
            fail(N_("hồ sơ %(id)s chưa có văn bản nào được cấp", id=str(dossier_id)))
        results = issue_documents(service, dossier_id, kinds, signable_pdf, signing_)
    for kind, result in results.items():
        say(Message("%(kind)s: %(result)s", kind=kind, result=RESULTS.get(result, result)))
    if any(r != "signed" for r in results.values()):
        fail(N_("có văn bản chưa được ký số"))
