"""Migration 0003 on data written before it: an appraisal belongs to the submission it was made for. A dossier
returned and resubmitted before the upgrade keeps the old appraisal stored, but only the values an appraiser saved
after its latest submit count; a verified dossier's appraisal counts; a draft's does not."""

from __future__ import annotations

import json

import pytest
from conftest import _fresh_postgres
from sqlalchemy import create_engine, text

from dossiers.migrate import upgrade

STAMP = "2024-11-20T08:00:00+00:00"


@pytest.fixture(params=["sqlite", "postgres"])
def url_at_0002(request, tmp_path):
    if request.param == "sqlite":
        url, drop = f"sqlite:///{tmp_path / 'old.sqlite3'}", (lambda: None)
    else:
        url, drop = _fresh_postgres(request.getfixturevalue("postgres_server"))
    upgrade(url, "0002")
    yield url
    drop()


def _dossier(conn, dossier_id: int, status: str, values: dict[str, str]) -> None:
    conn.execute(text("INSERT INTO dossiers (id, commune_id, year, status, criteria_version, procedure, category, "
                      "lock_version, created_at, updated_at) VALUES (:i, 1, :y, :s, 'qd06-2019', 'procedure-2019', "
                      "'other', 1, :t, :t)"), {"i": dossier_id, "y": 2020 + dossier_id, "s": status, "t": STAMP})
    for code, value in values.items():
        conn.execute(text("INSERT INTO indicator_values (dossier_id, code, appraised_value) VALUES (:d, :c, :v)"),
                     {"d": dossier_id, "c": code, "v": value})


def _entries(conn, dossier_id: int, actions: list[tuple[str, dict | None]], start: int) -> int:
    for n, (action, after) in enumerate(actions, start=start):
        conn.execute(text("INSERT INTO audit_entries (seq, at, actor, action, dossier_id, target, before, after, "
                          "prev_hash, hash) VALUES (:n, :t, 'x', :a, :d, '', 'null', :after, '', '')"),
                     {"n": n, "t": STAMP, "a": action, "d": dossier_id, "after": json.dumps(after)})
    return start + len(actions)


def test_only_the_appraisal_saved_after_the_latest_submit_counts(url_at_0002):
    engine = create_engine(url_at_0002)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO units (id, level, code, name) VALUES (1, 'commune', '23335', 'Xã Đắk Rơ Wa')"))
        two = {"TC05.injured": "7", "TC05.deaths": "0"}
        _dossier(conn, 1, "submitted", two)  # returned, resubmitted; one value re-appraised since
        seq = _entries(conn, 1, [("transition.submit", None), ("values.appraise", two),
                                 ("transition.return", None), ("transition.submit", None),
                                 ("values.appraise", {"TC05.injured": "7", "TC05.injured#comment": "ok"})], 1)
        _dossier(conn, 2, "verified", two)
        seq = _entries(conn, 2, [("transition.submit", None), ("values.appraise", two),
                                 ("transition.verify", None)], seq)
        _dossier(conn, 3, "draft", two)  # returned: its appraisal belongs to no submission
        _entries(conn, 3, [("transition.submit", None), ("values.appraise", two), ("transition.return", None)], seq)
    upgrade(url_at_0002)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT d.id, d.submission, v.code, v.appraised_in, v.appraised_value "
                                 "FROM dossiers d JOIN indicator_values v ON v.dossier_id = d.id "
                                 "ORDER BY d.id, v.code")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [
        (1, 2, "TC05.deaths", None, "0"), (1, 2, "TC05.injured", 2, "7"),
        (2, 1, "TC05.deaths", 1, "0"), (2, 1, "TC05.injured", 1, "7"),
        (3, 1, "TC05.deaths", None, "0"), (3, 1, "TC05.injured", None, "7"),
    ]
