"""Optimistic locking under real concurrency: two PROCESSES change one dossier at the same time.

Each racer (a separate process, forked by helpers/launcher.py) loads the dossier, waits at a file barrier,
then saves with ``expected_version`` = the version it loaded. While they start, the test holds the database's
write path (helpers/storekit.write_lock) until both racers wait on a lock, so both transactions are in flight
at once: on SQLite both wait at their ``BEGIN IMMEDIATE``; on PostgreSQL the first waits for the audit chain
head while the second waits behind the first for the dossier's row. Whatever the interleaving: exactly one
wins, the other gets a ConflictError that names who changed what, and nothing is overwritten.
The same must hold when the two changes come one after the other (the stale-version cases, in process).
Run on SQLite and PostgreSQL (``db_url``).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from helpers.storekit import C1, C2, PANEL, Launcher, build_light, race, walk

from dossiers import audit
from dossiers.models import Dossier
from engine.errors import CfcError, ConflictError


@dataclass
class Light:
    """Dossiers of C1 (officers c1, c1b) and C2 (c2, c2b), one per commune and round, 2019–2024."""

    url: str
    engine: object
    service: object
    slots: Iterator = field(default_factory=lambda: itertools.product(range(2019, 2025), (C1, C2)))
    officers: dict = field(default_factory=dict)

    def dossier(self, status: str) -> int:
        year, commune = next(self.slots)
        officer = "c1" if commune == C1 else "c2"
        view = self.service.create(officer, commune, year)
        walk(self.service, view.id, status, officer=officer)
        self.officers[view.id] = (officer, officer + "b")
        return view.id

    def state(self, dossier_id: int):
        with self.service.transaction() as s:
            d = s.get(Dossier, dossier_id)
            values = {v.code: (v.self_value, v.appraised_value) for v in d.values}
            return d.status, d.lock_version, values, audit.history(s, dossier_id)


@pytest.fixture(scope="module")
def light(db_url):
    engine, service = build_light(db_url, users=("c1", "c1b", "c2", "c2b", "d1", "chair1"))
    yield Light(db_url, engine, service)
    engine.dispose()


@pytest.fixture(scope="module")
def launcher(tmp_path_factory):
    started = Launcher(tmp_path_factory.mktemp("launcher"))
    yield started
    started.close()


def names(message: str, word: str) -> bool:
    """Whether ``message`` names ``word`` as a whole word (``c1`` is not named by ``c1b``)."""
    return re.search(rf"(?<![\w.]){re.escape(word)}(?![\w])", message) is not None


def split(results: list[dict]) -> tuple[int, dict, dict]:
    assert results[0]["loaded"] == results[1]["loaded"], "both racers must start from the same version"
    winners = [i for i, r in enumerate(results) if r["ok"]]
    assert len(winners) == 1, f"exactly one racer must win: {results}"
    w = winners[0]
    return w, results[w], results[1 - w]


def test_two_concurrent_edits_one_wins_the_other_is_told_what_changed(light, launcher, tmp_path):
    d = light.dossier("filled")
    one, two = light.officers[d]
    _, before_version, before, _ = light.state(d)
    jobs = [
        {"user": one, "dossier": d, "op": "set",
         "values": {"TC07.fully_immunised": "48", "TC13.satisfaction": "91"}},
        {"user": two, "dossier": d, "op": "set",
         "values": {"TC07.fully_immunised": "47", "TC12.summer_activities": "có"}},
    ]
    w, win, lose = split(race(launcher, light.url, jobs, tmp_path))
    assert win["loaded"] == before_version
    assert lose["error"] == "ConflictError", lose
    message = lose["message"]
    assert names(message, jobs[w]["user"]), f"the conflict must name who changed the dossier: {message}"
    assert "TC07.fully_immunised" in message, f"the conflict must name what changed: {message}"
    assert "TC13.satisfaction" in message or "TC12.summer_activities" in message, message

    status, version, values, history = light.state(d)
    assert status == "draft"
    assert version == before_version + 1 == win["version"]
    expected = {**{c: v for c, (v, _) in before.items()}, **{
        "TC07.fully_immunised": jobs[w]["values"]["TC07.fully_immunised"]}}
    if w == 0:
        expected["TC13.satisfaction"] = "91"
    else:
        expected["TC12.summer_activities"] = "true"
    assert {c: v for c, (v, _) in values.items()} == expected, "the loser's values must not be stored"
    new = [e for e in history if e.dossier_version > before_version]
    assert [(e.actor, e.action) for e in new] == [(jobs[w]["user"], "values.set")]


def test_two_concurrent_transitions_one_wins_the_other_is_told_what_changed(light, launcher, tmp_path):
    """The district appraiser returns a submitted dossier while the panel chair verifies it."""
    d = light.dossier("appraised")
    _, before_version, _, _ = light.state(d)
    jobs = [
        {"user": "d1", "dossier": d, "op": "transition", "event": "return", "reason": "Thiếu minh chứng TC05"},
        {"user": "chair1", "dossier": d, "op": "transition", "event": "verify", "panel": PANEL},
    ]
    w, win, lose = split(race(launcher, light.url, jobs, tmp_path))
    assert lose["error"] == "ConflictError", f"a stale transition must be a conflict: {lose}"
    message = lose["message"]
    assert names(message, jobs[w]["user"]), f"the conflict must name who changed the dossier: {message}"
    said = {"return": "Trả lại", "verify": "Xác nhận thẩm định"}[jobs[w]["event"]]  # the action in words
    assert said in message, f"the conflict must name what changed: {message}"

    status, version, _, history = light.state(d)
    assert status == {"return": "draft", "verify": "verified"}[jobs[w]["event"]] == win["status"]
    assert version == before_version + 1
    new = [e for e in history if e.dossier_version > before_version]
    assert [(e.actor, e.action) for e in new] == [(jobs[w]["user"], f"transition.{jobs[w]['event']}")]
    assert json.loads(new[0].after)["status"] == status


# one change made first, then a second one with the version loaded before it: (status, first change,
# second change, user named, words naming the change). The loser must get a ConflictError naming the change,
# whatever the first change did to the state, role table or guards; this is what the loser of any race sees
# when the database serialises the two (SQLite always does).
PDF = b"%PDF-1.4\n%%EOF\n"
STALE = {
    "submit_then_edit": ("filled", ("officer", "transition", "submit"),
                         ("officer2", "set", {"TC05.injured": "4"}), "officer", ["Nộp hồ sơ"]),
    "edit_then_submit": ("filled", ("officer2", "set", {"TC05.injured": "4"}),
                         ("officer", "transition", "submit"), "officer2", ["TC05.injured"]),
    "edit_then_edit": ("filled", ("officer", "set", {"TC05.injured": "4"}),
                       ("officer2", "set", {"TC05.injured": "5"}), "officer", ["TC05.injured"]),
    "submit_then_evidence": ("filled", ("officer", "transition", "submit"), ("officer2", "evidence", "TC01"),
                             "officer", ["Nộp hồ sơ"]),
    "return_then_verify": ("appraised", ("d1", "transition", "return"), ("chair1", "transition", "verify"),
                           "d1", ["Trả lại"]),
    "verify_then_return": ("appraised", ("chair1", "transition", "verify"), ("d1", "transition", "return"),
                           "chair1", ["Xác nhận thẩm định"]),
    "appraise_then_verify": ("appraised", ("d1", "appraise", {"TC05.injured": "2"}),
                             ("chair1", "transition", "verify"), "d1", ["TC05.injured"]),
}


def apply(service, dossier_id: int, change: tuple, expected: int | None):
    user, op, arg = change
    if op == "set":
        return service.set_values(user, dossier_id, arg, expected_version=expected)
    if op == "appraise":
        return service.appraise(user, dossier_id, arg, expected_version=expected)
    if op == "evidence":
        return service.add_evidence(user, dossier_id, arg, "biên bản.pdf", PDF, expected_version=expected)
    return service.transition(user, dossier_id, arg, reason="Cần bổ sung", expected_version=expected,
                              panel_members=PANEL)


@pytest.mark.parametrize("case", list(STALE))
def test_a_change_from_a_stale_version_is_a_conflict_naming_what_changed(light, case, tmp_path, monkeypatch):
    monkeypatch.setenv("CFC_INSTANCE_DIR", str(tmp_path / "instance"))
    status, first, second, who, words = STALE[case]
    d = light.dossier(status)
    users = dict(zip(("officer", "officer2"), light.officers[d], strict=True))
    first, second = [(users.get(c[0], c[0]), *c[1:]) for c in (first, second)]
    who = users.get(who, who)
    _, loaded, before, _ = light.state(d)
    apply(light.service, d, first, None)
    after_first = light.state(d)
    with pytest.raises(CfcError) as caught:
        apply(light.service, d, second, loaded)
    assert isinstance(caught.value, ConflictError), (
        f"{second[0]} acting on version {loaded} after {first[0]}'s change got "
        f"{type(caught.value).__name__}: {caught.value}")
    message = str(caught.value)
    assert names(message, who), message
    assert all(w in message for w in words), message
    assert light.state(d)[:3] == after_first[:3], "nothing of the stale change may be stored"
