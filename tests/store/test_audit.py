"""Tamper detection: whoever edits or deletes audit rows with plain SQL is caught by ``cfc audit verify``.

Each case tampers with the chain directly in the database (UPDATE or DELETE, as an intruder with database
access would), checks that ``audit.verify_chain`` and the ``cfc audit verify`` command (a separate process
given DATABASE_URL) both detect it and name the first broken entry, with exit code 1; then the rows are
restored exactly, so the next case starts from an intact chain. Run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import re

import pytest
from helpers.storekit import run_cfc
from sqlalchemy import delete, insert, select, text
from sqlalchemy.orm import Session

from dossiers import audit
from dossiers.db import make_engine, session_factory
from dossiers.language import reader
from dossiers.models import AuditEntry, AuditHead

ENTRIES = 10


@pytest.fixture(scope="module")
def chain(db_url):
    """A database whose chain holds ENTRIES entries (some about dossiers, with Vietnamese text and reasons)."""
    engine = make_engine(db_url)
    sessions = session_factory(engine)
    with sessions.begin() as s:
        for i in range(1, ENTRIES + 1):
            audit.append(s, actor=f"user{i % 3}", action="transition.return" if i % 2 else "values.set",
                         target=f"TC{i:02d}", before={"status": "submitted", "n": i}, after={"status": "draft"},
                         reason="Thiếu minh chứng — bổ sung" if i % 2 else None,
                         dossier_id=100 + i % 4, dossier_version=i)
    yield engine
    engine.dispose()


@contextlib.contextmanager
def tampered(engine, change):
    """Apply ``change(connection)`` in its own transaction; afterwards put every audit row back as it was."""
    with engine.connect() as conn:
        entries = [dict(r._mapping) for r in conn.execute(select(AuditEntry.__table__))]
        heads = [dict(r._mapping) for r in conn.execute(select(AuditHead.__table__))]
    with engine.begin() as conn:
        change(conn)
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(delete(AuditEntry.__table__))
            conn.execute(delete(AuditHead.__table__))
            conn.execute(insert(AuditEntry.__table__), entries)
            conn.execute(insert(AuditHead.__table__), heads)


def verify(engine) -> audit.ChainReport:
    with session_factory(engine).begin() as s:
        return audit.verify_chain(s)


ENGLISH = reader("en")


def cli_verify(db_url, tmp_path, lang="vi"):
    return run_cfc(["--lang", lang, "audit", "verify"], {"DATABASE_URL": db_url, "CFC_INSTANCE_DIR": str(tmp_path / "inst")},
                   cwd=tmp_path)


def rewrite_with_fresh_hash(conn):
    """Edit entry 4 and recompute its own hash, as a careful intruder would: the link of entry 5 breaks."""
    with Session(bind=conn) as s:
        entry = s.execute(select(AuditEntry).where(AuditEntry.seq == 4)).scalar_one()
        entry.reason = "không có gì"
        entry.hash = audit.entry_hash(entry.prev_hash, entry)
        s.flush()


def sql(statement: str):
    return lambda conn: conn.execute(text(statement))


# name → (tamper, first broken entry, words the report must contain, also run the CLI)
CASES = {
    "update_after": (sql("""UPDATE audit_entries SET "after" = '{"status":"recognized"}' WHERE seq = 4"""),
                     4, ["entry 4", "changed"], True),
    "update_actor_of_first": (sql("UPDATE audit_entries SET actor = 'someone' WHERE seq = 1"), 1,
                              ["entry 1", "changed"], False),
    "update_version": (sql("UPDATE audit_entries SET dossier_version = 99 WHERE seq = 7"), 7,
                       ["entry 7", "changed"], False),
    "update_and_rehash": (rewrite_with_fresh_hash, 5, ["entry 5", "entry 4"], False),
    "delete_middle": (sql("DELETE FROM audit_entries WHERE seq = 5"), 5, ["entry 5", "missing"], True),
    "delete_first": (sql("DELETE FROM audit_entries WHERE seq = 1"), 1, ["entry 1", "missing"], False),
    "delete_last_rows": (sql(f"DELETE FROM audit_entries WHERE seq > {ENTRIES - 2}"), ENTRIES - 1,
                         [f"entry {ENTRIES - 2}", f"{ENTRIES} were written", "deleted"], True),
}


def mentions(report: str, phrase: str) -> bool:
    return re.search(rf"{re.escape(phrase)}(?!\d)", report) is not None


def test_an_intact_chain_verifies(chain, db_url, tmp_path):
    report = verify(chain)
    assert report.ok and report.entries == ENTRIES and report.first_broken is None
    out = cli_verify(db_url, tmp_path)
    assert out.returncode == 0, out.stderr
    assert f"nhật ký kiểm toán nguyên vẹn: {ENTRIES} mục" in out.stdout
    english = cli_verify(db_url, tmp_path, "en")
    assert f"audit chain intact: {ENTRIES} entries" in english.stdout


@pytest.mark.parametrize("case", list(CASES))
def test_tampering_is_detected_and_the_first_broken_entry_named(chain, db_url, tmp_path, case):
    change, first_broken, words, with_cli = CASES[case]
    with tampered(chain, change):
        report = verify(chain)
        assert not report.ok, f"{case} went unnoticed: {report.message}"
        assert report.first_broken == first_broken, report.message
        for word in words:
            assert mentions(ENGLISH(report.message), word), f"{word!r} not in {ENGLISH(report.message)!r}"
        if with_cli:
            out = cli_verify(db_url, tmp_path)
            assert out.returncode == 1, (out.stdout, out.stderr)
            assert out.stdout.strip() == report.message
    assert verify(chain).ok, "the rows must be restored for the next case"


def test_appending_after_a_deletion_does_not_hide_it(chain):
    """New entries written after the last rows were deleted continue from the head, not from the hole."""
    with tampered(chain, sql(f"DELETE FROM audit_entries WHERE seq = {ENTRIES}")):
        with session_factory(chain).begin() as s:
            audit.append(s, actor="later", action="setting.set", target="x", after=1)
        report = verify(chain)
        assert not report.ok and report.first_broken == ENTRIES, report.message
