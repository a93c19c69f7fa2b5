"""Recognition decisions and the length of free text, checked before the database sees them.

A recognition is a legal act: it needs the number and the date of the province's decision.

- The number is at most 60 characters (the column ``dossiers.decision_number``) of printable text in the
  shape of a Vietnamese document symbol, ``DECISION_PATTERN``: a sequence number, optionally "/" and the
  year, then "/" and the symbol of the kind of document and the issuing body, made of letters (Đ included),
  digits and "-": ``107/QĐ-UBND``, ``12/2024/QĐ-UBND``, ``09/QĐ-TTg``.
- The date is not before the dossier's verification (the date in Vietnam of its latest ``transition.verify``
  audit entry; a dossier with none, e.g. one imported, not before 1 January of its round) and not after today
  in Vietnam.

``amend`` is the repair path for dossiers recognised without a (valid) decision: it sets the number and the
date with the same checks, for the roles and level the procedure gives ``recognize``, and audits the change as
``decision.amend`` with the reason.

Free text gets a limit matching its column, or a sensible one where the column is unbounded: reasons and
appraisal comments 2,000 characters, a panel member's name 200 (and at most 50 members). It may hold no control
character (tab and line breaks aside) and must show something (``engine.text.text_problem``: a reason made of
zero-width spaces says nothing); it is stored in NFC (``engine.text.nfc``), so saving the same text again
changes nothing. The messages name the field and never echo the text.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from engine.errors import CfcError
from engine.messages import N_, Message
from engine.text import nfc
from engine.text import text_problem as unstorable
from engine.workflow import LABELS, TransitionRefused

from .. import audit
from ..issuance.issuers import default_signer
from ..issuance.serials import current_certificate
from ..lookup import load_dossier, load_user
from ..models import Dossier
from .base import check_expected, log, require_step
from .view import DossierView, view_of

if TYPE_CHECKING:
    from . import DossierService

DECISION_NUMBER_MAX = 60  # dossiers.decision_number, certificates.decision_number: String(60)
REASON_MAX = 2000  # audit_entries.reason: Text
COMMENT_MAX = 2000  # indicator_values.comment: Text
PANEL_NAME_MAX = 200  # one name in dossiers.panel_members (JSON), as users.full_name
SIGNER_MAX = 200  # dossiers.decision_signer, decision_signer_title, revocation_signer, revocation_signer_title
PANEL_SIZE_MAX = 50
logger = logging.getLogger(__name__)
_SYMBOL = "[0-9A-Za-zĐđ]"
DECISION_PATTERN = re.compile(rf"[0-9]{{1,6}}(?:/[0-9]{{4}})?/{_SYMBOL}(?:{_SYMBOL}|-)*")


def text_problem(label: str, value: str | None, limit: int) -> str | None:
    """Why the free text ``value`` of the field ``label`` cannot be stored (too long, control characters, only
    invisible characters); None when it can. Line breaks and tabs are allowed."""
    if value is None:
        return None
    if len(value) > limit:
        return N_("%(label)s dài %(length)s ký tự, tối đa %(limit)s ký tự", label=label, length=len(value), limit=limit)
    problem = unstorable(value)
    return Message("%(label)s %(problem)s", label=label, problem=problem) if problem else None


def panel_problems(members: list[str] | None) -> list[str]:
    """Why the panel members' names cannot be stored."""
    names = [m for m in members or [] if m and m.strip()]
    if len(names) > PANEL_SIZE_MAX:
        return [N_("thành phần hội đồng có %(count)s người, tối đa %(limit)s", count=str(len(names)),
                   limit=str(PANEL_SIZE_MAX))]
    found = (text_problem(N_("tên thành viên hội đồng thứ %(n)s", n=str(i)), name.strip(), PANEL_NAME_MAX)
             for i, name in enumerate(names, 1))
    return [p for p in found if p]


KIND = {"recognize": N_("công nhận"), "revoke": N_("thu hồi công nhận")}


def number_problem(number: str | None, kind: str = "recognize") -> str | None:
    """Why ``number`` is not a decision number; None when it is one."""
    if number is None or not number.strip():
        return N_("cần ghi số quyết định %(kind)s (ví dụ 123/QĐ-UBND)", kind=KIND[kind])
    text = unicodedata.normalize("NFC", number.strip())
    if len(text) > DECISION_NUMBER_MAX:
        return N_("số quyết định dài %(length)s ký tự, tối đa %(limit)s ký tự", length=len(text),
                  limit=str(DECISION_NUMBER_MAX))
    if not text.isprintable():
        return N_("số quyết định có ký tự điều khiển hoặc không in được")
    if not DECISION_PATTERN.fullmatch(text):
        return N_("số quyết định không đúng dạng số/ký hiệu, ví dụ 123/QĐ-UBND hoặc 12/2024/QĐ-UBND")
    return None


def verified_on(s: Session, dossier: Dossier) -> dt.date | None:
    """The date in Vietnam of the dossier's latest verification; None when the trail has none. The locking
    statement may have read it already (``base.actor_and_dossier``)."""
    known = s.info.get("verified_at", {})
    at = known[dossier.id] if dossier.id in known else \
        getattr(audit.last_event(s, dossier.id, "transition.verify"), "at", None)
    return audit.local_date(at) if at is not None else None


def date_problem(s: Session, dossier: Dossier, day: dt.date | None, kind: str = "recognize") -> str | None:
    """Why ``day`` cannot be the date of the dossier's decision of ``kind`` (recognize: not before its
    verification; revoke: not before its recognition decision); None when it can."""
    if day is None:
        return N_("cần ghi ngày quyết định %(kind)s", kind=KIND[kind])
    today = audit.local_date(audit.now())
    if day > today:
        return N_("ngày quyết định %(day)s ở tương lai (hôm nay là %(today)s)", day=f"{day:%d/%m/%Y}",
                  today=f"{today:%d/%m/%Y}")
    if kind == "revoke":
        if dossier.decision_date is not None and day < dossier.decision_date:
            return N_("ngày quyết định thu hồi %(day)s trước ngày quyết định công nhận %(decided)s",
                      day=f"{day:%d/%m/%Y}", decided=f"{dossier.decision_date:%d/%m/%Y}")
        return None
    verified = verified_on(s, dossier)
    if verified is not None and day < verified:
        return N_("ngày quyết định %(day)s trước ngày thẩm định %(verified)s", day=f"{day:%d/%m/%Y}",
                  verified=f"{verified:%d/%m/%Y}")
    if verified is None and day.year < dossier.year:
        return N_("ngày quyết định %(day)s trước năm đánh giá %(year)s", day=f"{day:%d/%m/%Y}", year=str(dossier.year))
    return None


def public_reason_problems(text: str | None) -> list[str]:
    """Why ``text`` cannot be the public reason of a revocation (what the verification page shows)."""
    if not (text and text.strip()):
        return [N_("cần ghi lý do thu hồi công bố công khai (trang tra cứu hiển thị lý do này; lý do nội bộ chỉ "
                   "lưu trong nhật ký)")]
    return [p for p in (text_problem(N_("lý do công bố"), text, REASON_MAX),) if p]


def signer_problems(name: str | None, title: str | None) -> list[str]:
    """Why the signer's name and title cannot be printed on the decision."""
    found = [text_problem(N_("họ tên người ký"), name, SIGNER_MAX),
             text_problem(N_("chức vụ người ký"), title, SIGNER_MAX)]
    if not (name and name.strip()):  # the officer types the name; where a deployment configures it is for the log
        logger.info("a decision without a signer was refused: none typed, and the issuing body has no `signers` "
                    "entry in criteria/procedures/documents")
        found.append(N_("cần ghi họ tên người ký quyết định"))
    return [p for p in found if p]


def decision_problems(s: Session, dossier: Dossier, number: str | None, day: dt.date | None,
                      kind: str = "recognize") -> list[str]:
    """Every reason the decision (``number``, ``day``) of ``kind`` cannot be recorded on the dossier."""
    return [p for p in (number_problem(number, kind), date_problem(s, dossier, day, kind)) if p]


def signer_of(dossier: Dossier, day: dt.date | None, name: str | None, title: str | None) -> tuple[str, str]:
    """The signer as given, completed from the dated issuer configuration (``issuance.default_signer``)."""
    name, title = (name or "").strip(), (title or "").strip()
    if day is not None and not (name and title):
        try:
            configured = default_signer(dossier, day)
        except CfcError:  # no issuing body on that day: the date is refused anyway, the signer asked for
            configured = ("", "")
        name, title = name or configured[0], title or configured[1]
    return unicodedata.normalize("NFC", name), unicodedata.normalize("NFC", title)


def amend(svc: DossierService, username: str, dossier_id: int, number: str | None, day: dt.date | None,
          reason: str | None, expected_version: int | None = None, signer_name: str | None = None,
          signer_title: str | None = None) -> DossierView:
    """Set the decision of a recognised dossier, or the revocation decision of a revoked one (repair path),
    audited as ``decision.amend``; the signer as given, else as stored, else as configured (``signer_of``)."""
    with svc.transaction() as s:
        user = load_user(s, username)
        dossier = load_dossier(s, dossier_id, user, lock=True)
        check_expected(s, dossier, expected_version)
        kind = "revoke" if dossier.status == "revoked" else "recognize"
        require_step(svc.procedures, user, dossier, kind)
        fields = FIELDS[kind]
        reasons = []
        if dossier.status not in ("recognized", "revoked"):
            reasons.append(N_("hồ sơ đang ở trạng thái «%(status)s»: chỉ sửa quyết định của hồ sơ đã công nhận "
                              "hoặc đã thu hồi", status=LABELS.get(dossier.status, dossier.status)))
        if not (reason and reason.strip()):
            reasons.append(N_("sửa quyết định cần ghi rõ lý do"))
        reasons += [p for p in (text_problem(N_("lý do"), reason, REASON_MAX),) if p]
        reasons += decision_problems(s, dossier, number, day, kind)
        signer = signer_of(dossier, day, signer_name or getattr(dossier, fields[2]),
                           signer_title or getattr(dossier, fields[3]))
        reasons += signer_problems(*signer)
        if reasons:
            raise TransitionRefused("amend-decision", reasons)
        before = _decision(dossier, fields)
        for name, value in zip(fields, (unicodedata.normalize("NFC", number.strip()), day, *signer), strict=True):
            setattr(dossier, name, value)
        dossier.updated_at = audit.now()
        after = {"decision": _decision(dossier, fields)}
        certificate = current_certificate(s, dossier) if kind == "recognize" else None
        if certificate is not None:  # the certificate names the decision: it follows, under the same serial
            certificate.decision_number, certificate.decision_date = dossier.decision_number, dossier.decision_date
            after["certificate"] = certificate.serial
        log(s, user, dossier, "decision.amend", getattr(dossier, fields[0]), {"decision": before}, after,
            nfc(reason.strip()))
        return view_of(svc.registry, dossier, reader=svc.view_reader)


# the columns of each kind of decision: number, date, signer, signer's title
FIELDS = {"recognize": ("decision_number", "decision_date", "decision_signer", "decision_signer_title"),
          "revoke": ("revocation_number", "revocation_date", "revocation_signer", "revocation_signer_title")}


def _decision(dossier: Dossier, fields: tuple[str, ...]) -> dict:
    number, day, signer, title = (getattr(dossier, f) for f in fields)
    return {"number": number, "date": day.isoformat() if day else None, "signer": signer, "signer_title": title}
