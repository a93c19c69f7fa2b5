"""``cfc certificates print``'s steps: the certificate fields of a province's round (and why a dossier is
skipped), each certificate signed and kept on its own, and the printed batch signed by its issuing body. What it
says is a message (``engine.messages``) that the command prints in the run's language."""

from __future__ import annotations

import click

from certificates.signature import CERTIFICATE_SPOT, signable_pdf
from dossiers import issuance
from dossiers.issuance.keys import SigningConfigError
from dossiers.issuance.signing_store import (
    Signing,
    appearance,
    issue_recorded,
    issuing_unit_code,
    sign_and_store,
)
from engine.errors import CfcError
from engine.messages import N_, Message, message_of

from .common import fail, settings, tr

SIGNED = N_("có chữ ký số")


def signing() -> Signing:
    try:
        return Signing.from_settings(settings())
    except SigningConfigError as exc:
        fail(str(exc))


def round_fields(s, registry, province: str, year: int, username: str, url: str, signer: str
                 ) -> tuple[list[dict], list]:
    """The certificate fields of every printable dossier of the round, and a message for each one skipped."""
    problems: list = []
    issued = issuance.issue_round(s, province, year, username, skipped=problems)
    skipped: list = [reason if reason.startswith(f"hồ sơ {d.id} ") else
                     N_("hồ sơ %(id)s (%(commune)s): %(why)s", id=str(d.id), commune=d.commune.name, why=reason)
                     for d, reason in problems]
    config = issuance.load_documents()
    fields = []
    for cert in issued:
        try:
            fields.append(issuance.certificate_fields(s, cert, url, registry, signer, config))
        except CfcError as exc:
            skipped.append(N_("giấy công nhận %(serial)s: %(why)s", serial=cert.serial, why=message_of(exc)))
    return fields, skipped


def sign_each(s, registry, province: str, year: int, url: str, fields: list[dict]) -> list[str]:
    """Sign, keep and record each certificate of the batch (once: already signed ones are kept as they are);
    the issuing unit of each, for signing the batch itself."""
    signing_ = signing()
    units = []
    for f in fields:
        cert = issuance.lookup(s, f["serial"])
        units.append(issuing_unit_code(cert.dossier, "certificate", f["decision_date"]))
        if signing_.config is not None:
            try:
                issue_recorded(signing_, s, cert.dossier, "certificate", f, signable_pdf, "certificates_print")
            except CfcError as exc:
                click.echo(tr(N_("giấy công nhận %(serial)s chưa được ký số: %(why)s", serial=f["serial"],
                                 why=message_of(exc))), err=True)
    return units


def sign_batch(pdf: bytes, fields: list[dict], units: list[str]) -> tuple[bytes, Message]:
    """The batch signed by its issuing body when every page has the same one (each certificate is also kept
    signed on its own: ``cfc certificates verify`` and the downloads serve those); what became of it."""
    signing_ = signing()
    if signing_.config is None:
        return pdf, N_("không có chữ ký số: chưa cấu hình khóa")
    if len(set(units)) != 1:
        return pdf, N_("tệp in không ký số (nhiều cơ quan ban hành); từng giấy đã được ký và lưu riêng")
    day = max(f["decision_date"] for f in fields)
    try:
        signed = sign_and_store(signing_, units[0], "decision", day, pdf, CERTIFICATE_SPOT,
                                appearance("certificate", fields[0], signing_.config.demo))
    except CfcError as exc:
        return pdf, N_("không ký số được: %(why)s", why=message_of(exc))
    return (signed, SIGNED) if signed is not None else (pdf, N_("không có khóa ký số cho cơ quan ban hành"))
