"""``dossiers.service.versioned.flush`` writes a dossier's change exactly as the ORM's flush does — the same
statement, the same parameters, the same version bump and the same ``StaleDataError`` — on SQLite and PostgreSQL,
and leaves the session as the ORM's flush leaves it (nothing more to write)."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from helpers.storekit import C1, build_light
from sqlalchemy import event, select, update
from sqlalchemy.orm.exc import StaleDataError

from dossiers.models import Dossier, Setting
from dossiers.service import versioned


@pytest.fixture(scope="module")
def light(db_url):
    engine, service = build_light(db_url)
    yield engine, service
    engine.dispose()


@contextlib.contextmanager
def sent(engine):
    statements: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, *_args):
        if not statement.startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def change(dossier: Dossier, stamp: str) -> None:
    """Plain values, a date, JSON values, and a JSON value assigned an equal copy (no net change)."""
    dossier.status = "submitted"
    dossier.updated_at = stamp
    dossier.decision_date = dt.date(2026, 12, 3)
    dossier.verified_score = {"total": 86, "note": "Xã Đắk Rơ Wa", "parts": [1, 2.5, None]}
    dossier.panel_members = ["Chủ tịch hội đồng", "Thành viên"]
    dossier.self_score = None if dossier.self_score is None else dict(dossier.self_score)
    dossier.submission += 1


def without_id(params, dossier_id: int):
    """A dossier UPDATE's parameters but the dossier's id (SQLite's positional, the next to last)."""
    if isinstance(params, dict):
        assert params["dossiers_id"] == dossier_id
        return {k: getattr(v, "obj", v) for k, v in params.items() if k != "dossiers_id"}  # psycopg's Json(…)
    assert params[-2] == dossier_id
    return (*params[:-2], params[-1])


def plain(params, replace: dict):
    """Parameters as comparable values (psycopg's Json(…) unwrapped), with some values replaced."""
    if isinstance(params, dict):
        return {k: replace.get(getattr(v, "obj", v), getattr(v, "obj", v)) for k, v in params.items()}
    return tuple(replace.get(v, v) for v in params)


def columns(row: Dossier) -> dict:
    skip = {"id", "year", "created_at"}
    return {c.key: getattr(row, c.key) for c in Dossier.__table__.columns if c.key not in skip}


def test_the_same_statement_row_and_version_as_the_orm(light):
    engine, service = light
    ids = [service.create("c1", C1, year).id for year in (2019, 2020)]
    written = []
    for dossier_id, write in zip(ids, (lambda s, d: s.flush(), versioned.flush), strict=True):
        with service.transaction() as s, sent(engine) as statements:
            dossier = s.get(Dossier, dossier_id)
            before = dossier.lock_version
            statements.clear()
            change(dossier, "2026-12-03T10:00:00.000000+00:00")
            write(s, dossier)
            assert dossier.lock_version == before + 1
            assert not s.dirty and not s.new  # nothing left for the commit to write
            flushed = list(statements)
            s.flush()
            assert statements == flushed  # the commit's flush sends nothing more
        written.append(flushed)
    orm, ours = written
    assert len(orm) == len(ours) == 1
    assert ours[0][0] == orm[0][0]  # the same UPDATE … WHERE id AND lock_version
    assert without_id(ours[0][1], ids[1]) == without_id(orm[0][1], ids[0])  # and the same parameters
    with service.transaction(readonly=True) as s:
        a, b = (s.get(Dossier, i) for i in ids)
        assert columns(a) == columns(b)


def test_no_net_change_sends_nothing_and_keeps_the_version(light):
    engine, service = light
    dossier_id = service.create("c1", C1, 2021).id
    with service.transaction() as s, sent(engine) as statements:
        dossier = s.get(Dossier, dossier_id)
        version = dossier.lock_version
        statements.clear()
        dossier.status = dossier.status  # assigned, not changed
        versioned.flush(s, dossier)
        assert statements == [] and dossier.lock_version == version


def test_a_row_changed_meanwhile_is_the_orm_stale_data_error(light):
    engine, service = light
    dossier_id = service.create("c1", C1, 2022).id
    messages = []
    for write in (lambda s, d: s.flush(), versioned.flush):
        with pytest.raises(StaleDataError) as caught, service.sessions() as s, s.begin():
            dossier = s.get(Dossier, dossier_id)
            # another writer's version, behind this session's back
            s.connection().execute(update(Dossier.__table__).where(Dossier.__table__.c.id == dossier_id)
                                   .values(lock_version=Dossier.__table__.c.lock_version + 1))
            dossier.status = "submitted"
            write(s, dossier)
        messages.append(str(caught.value).split(" (Background")[0])
    assert messages[0] == messages[1]
    with service.transaction(readonly=True) as s:
        assert s.execute(select(Dossier.status).where(Dossier.id == dossier_id)).scalar_one() == "draft"


def test_anything_else_pending_goes_through_the_orm_flush(light):
    _engine, service = light
    dossier_id = service.create("c1", C1, 2023).id
    with service.transaction() as s:
        dossier = s.get(Dossier, dossier_id)
        version = dossier.lock_version
        s.add(Setting(key="versioned-test", value={"a": 1}))
        dossier.status = "submitted"
        versioned.flush(s, dossier)
        assert dossier.lock_version == version + 1 and not s.new and not s.dirty
    with service.transaction(readonly=True) as s:
        assert s.get(Setting, "versioned-test").value == {"a": 1}
        assert s.get(Dossier, dossier_id).status == "submitted"


def test_a_new_dossier_is_the_orm_insert(light):
    """The same INSERT (columns, parameters, version 1), the same row, and the dossier held as inserted: reading
    any of its columns sends nothing, and nothing is left to write."""
    engine, service = light
    with service.transaction(readonly=True) as s:
        commune_id = s.execute(select(Dossier.commune_id)).scalars().first()
    given = {"commune_id": commune_id, "status": "draft", "criteria_version": "qd06-2019", "procedure": "p",
             "category": "other", "created_at": "2026-12-03T10:00:00.000000+00:00",
             "updated_at": "2026-12-03T10:00:00.000000+00:00"}
    written, ids = [], []
    for year, write in ((2030, "orm"), (2031, "ours")):
        with service.transaction() as s, sent(engine) as statements:
            if write == "orm":
                dossier = Dossier(year=year, **given)
                s.add(dossier)
                s.flush()
            else:
                dossier = versioned.insert(s, year=year, **given)
            flushed = list(statements)
            assert dossier.lock_version == 1 and dossier.submission == 0
            expected = {**dict.fromkeys(columns(dossier)), **given, "submission": 0, "lock_version": 1}
            assert columns(dossier) == {k: v for k, v in expected.items() if k in columns(dossier)}
            assert statements == flushed and not s.dirty and not s.new  # read from what was inserted
            s.flush()
            assert statements == flushed
            ids.append(dossier.id)
        written.append(flushed)
    orm, ours = written
    assert len(orm) == len(ours) == 1 and ours[0][0] == orm[0][0]
    assert plain(orm[0][1], {2030: 2031}) == plain(ours[0][1], {})  # the same parameters but the year
    with service.transaction(readonly=True) as s:
        a, b = (s.get(Dossier, i) for i in ids)
        assert columns(a) == columns(b)
        assert (a.self_score, a.verified_score, a.panel_members) == (None, None, None)
        # left out, as the ORM leaves them: SQL NULL, not the JSON text 'null'
        raw = s.execute(select(Dossier.__table__.c.self_score.is_(None)).where(Dossier.id == ids[1])).scalar_one()
        assert raw is True


def test_a_mapper_event_on_dossiers_sends_every_write_through_the_orm(light):
    """A later model that listens to a dossier's update or insert (or computes a column on update) keeps its
    listener: the fast path steps aside and the ORM's flush runs it."""
    _engine, service = light
    seen = []

    def listener(_mapper, _connection, target):
        seen.append(target.status)

    event.listen(Dossier, "before_update", listener)
    event.listen(Dossier, "before_insert", listener)
    try:
        assert not versioned._plain()
        dossier_id = service.create("c1", C1, 2024).id
        with service.transaction() as s:
            dossier = s.get(Dossier, dossier_id)
            version = dossier.lock_version
            dossier.status = "submitted"
            versioned.flush(s, dossier)
            assert dossier.lock_version == version + 1 and not s.dirty
    finally:
        event.remove(Dossier, "before_update", listener)
        event.remove(Dossier, "before_insert", listener)
    assert seen == ["draft", "submitted"]
    assert versioned._plain()
