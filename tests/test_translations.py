"""The English catalogue covers every message a person reads, and the compiled file matches it.

`make translations` extracts, merges and compiles; this test fails while a message has no English or the
compiled catalogue is older than the .po file it comes from."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
SOURCES = ["engine", "dossiers", "cfc", "certificates", "webforms"]


def _extracted(tmp_path: Path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "N_", "-k", "_l",
                    "-o", str(pot), "--no-location", *SOURCES], cwd=ROOT, check=True, capture_output=True)
    with open(pot, "rb") as fh:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}


def _catalogue():
    with open(PO, "rb") as fh:
        return read_po(fh, locale="en")


def test_every_message_has_an_english_translation(tmp_path):
    catalogue = _catalogue()
    english = {(m.id if isinstance(m.id, str) else m.id[0]): m.string for m in catalogue if m.id}
    missing = sorted(i for i in _extracted(tmp_path) if not english.get(i))
    assert not missing, "no English for (run `make translations`, then translate):\n" + "\n".join(missing)


def test_the_compiled_catalogue_matches_the_po_file():
    buffer = io.BytesIO()
    write_mo(buffer, _catalogue())
    assert MO.read_bytes() == buffer.getvalue(), "translations/…/messages.mo is stale: run `make translations`"


def test_every_wtforms_message_has_a_vietnamese_translation():
    """WTForms' own messages ("This field is required.") have no Vietnamese catalogue upstream; ours covers every
    message of the installed WTForms, and its compiled file is current."""
    from wtforms.i18n import messages_path

    with open(Path(messages_path()) / "wtforms.pot", "rb") as fh:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    po = ROOT / "translations" / "vi" / "LC_MESSAGES" / "wtforms.po"
    with open(po, "rb") as fh:
        catalogue = read_po(fh, locale="vi")
    vietnamese = {(m.id if isinstance(m.id, str) else m.id[0]): m.string for m in catalogue if m.id}
    missing = sorted(i for i in wanted if not (vietnamese.get(i) if isinstance(vietnamese.get(i), str)
                                               else any(vietnamese.get(i) or ())))
    assert not missing, "no Vietnamese for (run `make translations`, then translate):\n" + "\n".join(missing)
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    assert po.with_suffix(".mo").read_bytes() == buffer.getvalue(), "wtforms.mo is stale: run `make translations`"
