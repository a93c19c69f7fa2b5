"""What ``cfc certificates verify`` and ``cfc certificates check`` print, line by line, in the run's language
(``cfc --lang``): a serial's status and facts, a PDF's signatures and whether it is a document issued under a
serial. Names, numbers of decisions, serials and file names are printed as they are."""

from __future__ import annotations

from pathlib import Path

from dossiers.issuance.signing_check import SIGNATURE_LABELS
from engine.messages import N_

from .common import tr


def verification_lines(found: dict) -> list[str]:
    status = found["status"]
    lines = [tr(N_("Số hiệu %(serial)s: %(status)s", serial=found["serial"], status=status["label"])),
             f"{found['commune']}, {', '.join(x for x in (found['district'], found['province']) if x)}",
             tr(N_("Năm %(year)s; Quyết định số %(number)s ngày %(day)s; bộ tiêu chí %(version)s",
                   year=str(found["year"]), number=found["decision_number"],
                   day=found["decision_date"].strftime("%d/%m/%Y"), version=found["criteria_version"]))]
    if status["status"] == "revoked":
        day, reason = f"{status['revoked_on']:%d/%m/%Y}", status["revoke_reason"] or ""
        lines.append(tr(N_("Thu hồi theo Quyết định số %(number)s ngày %(day)s: %(reason)s",
                           number=status["revocation_number"], day=day, reason=reason)
                        if status["revocation_number"] else
                        N_("Thu hồi ngày %(day)s: %(reason)s", day=day, reason=reason)))
    if status["status"] == "superseded":
        lines.append(tr(N_("Thay thế bằng số hiệu %(serial)s", serial=status["superseded_by"])))
    return lines


def check_lines(file: Path, checks, serial: str | None, matched, configured: bool) -> list[str]:
    """The file's signatures, one a line (✔ / ✘, who signed, notes), and with ``serial`` whether the file is
    byte for byte the document ``matched`` issued under it."""
    lines = [f"{file}:"]
    if not configured:
        lines.append("  " + tr(N_("(chưa cấu hình cơ quan chứng thực tin cậy: không chữ ký nào được coi là tin "
                                  "cậy)")))
    if not checks:
        lines.append("  " + tr(SIGNATURE_LABELS["unsigned"]))
    for c in checks:
        who = ""
        if c.signer:
            when = {"time": f"{c.signed_at:%d/%m/%Y %H:%M}"} if c.signed_at else {}
            who = " — " + tr(N_("người ký: %(signer)s; cấp bởi: %(issuer)s, ký lúc %(time)s UTC", signer=c.signer,
                                issuer=c.issuer, **when) if when else
                             N_("người ký: %(signer)s; cấp bởi: %(issuer)s", signer=c.signer, issuer=c.issuer))
        lines.append(f"  {'✔' if c.ok else '✘'} {tr(c.label)}{who}" + "".join(f"; {tr(n)}" for n in c.notes))
    if serial:
        lines.append("  " + (tr(N_("✔ đúng từng byte với %(document)s số hiệu %(serial)s", document=matched,
                                   serial=serial)) if matched else
                             tr(N_("✘ không phải văn bản đã cấp theo số hiệu %(serial)s (không trùng từng byte)",
                                   serial=serial))))
    return lines
