"""The SQL statements a dossier's lifecycle sends, counted with an SQLAlchemy event listener
(``before_cursor_execute``), on SQLite and PostgreSQL: a deployment sizes its database for them (issue #15).

Each step of the lifecycle (create, set values, submit, appraise, verify, recognize) is one service call and
one transaction; SQLite's ``BEGIN IMMEDIATE`` is not counted (PostgreSQL's BEGIN is implicit), everything else
is, savepoints included. The steps still do what they did: the dossier ends recognised with one certificate and
the audit chain verifies.
"""

from __future__ import annotations

import contextlib

import pytest
from helpers.storekit import C1, PANEL, build_light, example_values
from sqlalchemy import event

from dossiers import audit

# statements per step: the user and the locked dossier (one statement, each with its units, and the dossier's
# values as one JSON array when the step reads them), the change, the audit entry (the head moved by
# compare-and-set, the entry inserted); the evidence (and the values of a step that does not read them) are read
# only when the returned view's field is read, after the commit; create and recognize do more (see below)
BUDGET = {
    "create": 5,  # user + commune + taken + category (one statement), dossier, every empty value (one batch),
                  # head, entry
    "set_values": 5,  # + one batch of changed values
    "submit": 4,
    "appraise": 5,
    "verify": 4,
    "recognize": 5,  # the setting and the date of the verification in the locking statement, + the
                     # certificate (one INSERT … SELECT of the next number), both audit entries together (head,
                     # entries)
}


# PostgreSQL moves the audit head and inserts the entry in one statement (a data-modifying WITH): one fewer
POSTGRES_BUDGET = {name: budget - 1 for name, budget in BUDGET.items()}


@pytest.fixture(scope="module")
def light(db_url):
    engine, service = build_light(db_url, users=("c1", "d1", "chair1", "pa"))
    service.lazy_views = True  # as the web app's service: its views read the evidence when shown
    yield engine, service
    engine.dispose()


@contextlib.contextmanager
def counting(engine):
    sent: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.startswith("BEGIN"):
            sent.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", count)


def lifecycle(service, engine, year: int) -> dict[str, list[str]]:
    """One dossier from creation to recognition; the statements of each step."""
    values, sent = example_values(), {}
    today = audit.local_date(audit.now())
    steps = [
        ("create", lambda v: service.create("c1", C1, year)),
        ("set_values", lambda v: service.set_values("c1", v.id, values, v.lock_version)),
        ("submit", lambda v: service.transition("c1", v.id, "submit", expected_version=v.lock_version)),
        ("appraise", lambda v: service.appraise("d1", v.id, values, expected_version=v.lock_version)),
        ("verify", lambda v: service.transition("chair1", v.id, "verify", panel_members=PANEL,
                                                expected_version=v.lock_version)),
        ("recognize", lambda v: service.transition("pa", v.id, "recognize", decision_number=f"{year}/QĐ-UBND",
                                                   decision_date=today, signer_name="Nguyễn Văn Ký",
                                                   expected_version=v.lock_version)),
    ]
    view = None
    for name, step in steps:
        with counting(engine) as statements:
            view = step(view)
        sent[name] = statements
    assert view.status == "recognized"
    return sent


@pytest.mark.parametrize("year", [2019, 2020])
def test_each_step_of_the_lifecycle_stays_within_its_statement_budget(light, year):
    engine, service = light
    budget = POSTGRES_BUDGET if engine.dialect.name == "postgresql" else BUDGET
    sent = lifecycle(service, engine, year)
    over = {name: (len(statements), budget[name], statements) for name, statements in sent.items()
            if len(statements) > budget[name]}
    assert not over, f"steps over their statement budget: {over}"
    assert sum(len(s) for s in sent.values()) <= sum(budget.values())
    with service.transaction() as s:
        assert audit.verify_chain(s).ok


def test_values_are_inserted_in_one_batch_and_the_audit_head_is_not_read(light):
    engine, service = light
    with counting(engine) as statements:
        view = service.create("c1", C1, 2021)
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO INDICATOR_VALUES")]
    assert len(inserts) == 1
    assert not [s for s in statements if "FROM audit_head" in s]
    assert list(view.values) == sorted(service.registry.get(view.criteria_version).indicator_map())
    assert all(v == {"self": None, "appraised": None, "comment": None} for v in view.values.values())
    assert view.evidence == [] and view.lock_version == 1


def test_a_transition_reads_the_evidence_only_when_its_view_shows_it(light):
    """The view of a change carries what its transaction did not read (the evidence; a recognition's values)
    lazily: read after the commit in a read-only transaction, the same as reading the dossier then."""
    engine, service = light
    view = service.create("c1", C1, 2022)
    view = service.set_values("c1", view.id, example_values(), view.lock_version)
    with counting(engine) as statements:
        view = service.transition("c1", view.id, "submit", expected_version=view.lock_version)
    assert not [s for s in statements if "FROM evidence" in s]
    with counting(engine) as statements:
        shown = view.to_dict()
    assert len([s for s in statements if "FROM evidence" in s]) == 1
    assert shown == service.get("c1", view.id).to_dict()


def test_a_command_s_views_read_everything_within_the_change(light):
    """Without ``lazy_views`` (the commands close their connections right after a change) the view holds the
    evidence and values read in the change's transaction: reading it later sends nothing."""
    engine, service = light
    service.lazy_views = False
    try:
        view = service.create("c1", C1, 2023)
        view = service.set_values("c1", view.id, example_values(), view.lock_version)
        view = service.transition("c1", view.id, "submit", expected_version=view.lock_version)
    finally:
        service.lazy_views = True
    with counting(engine) as statements:
        shown = view.to_dict()
    assert statements == []
    assert shown == service.get("c1", view.id).to_dict()


def test_a_writer_that_waited_on_the_lock_sees_the_values_the_one_before_it_saved(light):
    """A writer that waited for another (PostgreSQL's row lock, SQLite's BEGIN IMMEDIATE) reads the values as
    the other saved them: they are read after the lock, never from the locking statement's snapshot."""
    import threading
    import time

    from dossiers.service import base
    from dossiers.service import values as value_ops

    _engine, service = light
    view = service.create("c1", C1, 2024)
    view = service.set_values("c1", view.id, example_values(), view.lock_version)
    first, second = sorted(view.values)[:2]
    holding = threading.Event()

    def earlier_writer():
        with service.transaction() as s:
            user, dossier = base.writable(s, service.procedures, "c1", view.id, "edit", "draft", None, "edit",
                                          "not a draft")
            changed = value_ops.apply(service.version_of(dossier), dossier, {first: None}, "self_value")
            base.log_changes(s, user, dossier, "values.set", changed)
            holding.set()
            time.sleep(1.0)  # the later writer waits on the lock meanwhile

    thread = threading.Thread(target=earlier_writer)
    thread.start()
    assert holding.wait(30)
    later = service.set_values("c1", view.id, {second: None})  # no expected version: it waits, then proceeds
    thread.join()
    assert later.values[first]["self"] is None and later.values[second]["self"] is None
    assert later.lock_version == view.lock_version + 2
    assert service.get("c1", view.id).to_dict() == later.to_dict()
