"""Who signs a dossier's documents.

* A decision (recognition or revocation) is signed by whom the decision recorded (``decision_signer`` and
  ``decision_signer_title``, ``revocation_signer`` and ``revocation_signer_title``). A dossier decided before
  signers were recorded falls back to the dated issuer configuration (``issuers.default_signer``); when neither
  names anyone, the document leaves room to write the name.
* The minutes are signed by the panel recorded at verification, one member a line as the verify form asks: the
  member marked "(Chủ tịch hội đồng)" signs for the panel as its chair, the others beside.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from engine.errors import CfcError

from ..models import Dossier
from .issuers import DocumentsEntry, default_signer

# "Nguyễn Văn A, Phó Chủ tịch UBND huyện (Chủ tịch hội đồng)", or a line that starts "Chủ tịch hội đồng: …";
# not "(Phó Chủ tịch hội đồng)"
CHAIR_MARK = re.compile(
    r"\(\s*chủ tịch hội đồng[^)]*\)|^\s*chủ tịch hội đồng(?:\s+(?:thẩm định|xét duyệt))?\s*[:,–-]?",
    re.IGNORECASE)


def _recorded_or_configured(dossier: Dossier, name: str | None, title: str | None, day: dt.date | None,
                            config: dict[str, list[DocumentsEntry]] | None) -> tuple[str, str]:
    name, title = (name or "").strip(), (title or "").strip()
    if not name and day is not None:
        try:
            configured = default_signer(dossier, day, config)
        except CfcError:  # no issuing body on that day: the document names none either
            configured = ("", "")
        name, title = configured[0], title or configured[1]
    return name, title


def decision_signer(dossier: Dossier, config: dict[str, list[DocumentsEntry]] | None = None) -> tuple[str, str]:
    """(name, title) of who signed the recognition decision; ("", "") or ("", title) when nobody is known."""
    return _recorded_or_configured(dossier, dossier.decision_signer, dossier.decision_signer_title,
                                   dossier.decision_date, config)


def revocation_signer(dossier: Dossier, config: dict[str, list[DocumentsEntry]] | None = None) -> tuple[str, str]:
    """(name, title) of who signed the revocation decision, as ``decision_signer``."""
    return _recorded_or_configured(dossier, dossier.revocation_signer, dossier.revocation_signer_title,
                                   dossier.revocation_date, config)


def _tidy(text: str) -> str:
    return " ".join(text.split()).strip(" ,;:–-")


def panel_signers(members: list[str] | None) -> tuple[str, list[str]]:
    """(the chair, the other members) as they sign the minutes. The chair is the first member marked as such,
    printed without the mark ("" when nobody is marked, or the line names nobody but the role: the chair then
    signs above an empty line); the others follow in the order entered."""
    lines = [unicodedata.normalize("NFC", m) for m in members or [] if m and m.strip()]
    chair_at = next((i for i, m in enumerate(lines) if CHAIR_MARK.search(m)), None)
    if chair_at is None:
        return "", [_tidy(m) for m in lines]
    chair = _tidy(CHAIR_MARK.sub("", lines[chair_at], count=1))
    return chair, [_tidy(m) for i, m in enumerate(lines) if i != chair_at]
