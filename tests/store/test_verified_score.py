"""The verified score of a dossier is the score of its appraised values, whether the verification scores them or
takes the stored self-assessed score because the appraised values are exactly the self-assessed ones (issue #15:
no scoring twice of the same values). Compared with a fresh score of the appraised values, on SQLite and
PostgreSQL. Also: the values a change reads with the dossier's lock (plain rows since #15) are written at the
commit whatever the change set on them."""

from __future__ import annotations

import pytest
from helpers.storekit import C1, PANEL, build_light, example_values
from sqlalchemy import select, update

from dossiers.models import Dossier
from dossiers.service.scores import score_result


@pytest.fixture(scope="module")
def light(db_url):
    engine, service = build_light(db_url, users=("c1", "d1", "chair1"))
    yield engine, service
    engine.dispose()


@pytest.fixture
def scorings(monkeypatch):
    """How many times the service scores (the real ``engine.scoring.score``, counted)."""
    from dossiers.service import scores

    calls = []
    real = scores.score

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(scores, "score", counted)
    return calls


def appraised(service, year: int, appraisal: dict, tamper: dict | None = None, scorings: list | None = None):
    """A dossier of ``year`` with the example values, submitted and appraised with ``appraisal``, then
    verified; ``tamper``: fields of the stored self-assessed score replaced before the verification;
    ``scorings`` is emptied before the verification."""
    view = service.create("c1", C1, year)
    view = service.set_values("c1", view.id, example_values(), view.lock_version)
    view = service.transition("c1", view.id, "submit", expected_version=view.lock_version)
    view = service.appraise("d1", view.id, appraisal, expected_version=view.lock_version)
    if tamper:
        with service.transaction() as s:
            stored = dict(s.get(Dossier, view.id).self_score, **tamper)
            s.execute(update(Dossier).where(Dossier.id == view.id).values(self_score=stored))
    if scorings is not None:
        scorings.clear()
    return service.transition("chair1", view.id, "verify", panel_members=PANEL, expected_version=view.lock_version)


def fresh_score(service, dossier_id: int) -> dict:
    """The appraised values scored now, as the verification stores a score."""
    with service.transaction(readonly=True) as s:
        dossier = s.get(Dossier, dossier_id)
        return score_result(service.version_of(dossier), dossier, "appraised_value", service.settings.engine).to_dict()


def test_appraised_values_equal_to_the_commune_s_give_the_score_they_would_be_scored_to(light, scorings):
    _engine, service = light
    view = appraised(service, 2019, example_values(), scorings=scorings)
    assert scorings == []  # the stored self-assessed score is that score
    stored = view.stored_scores["verified_score"]
    assert stored == fresh_score(service, view.id) == view.stored_scores["self_score"]
    assert service.history("chair1", view.id)[-1]["after"]["verified_total"] == stored["total"]


def test_an_appraised_value_that_differs_is_scored(light, scorings):
    _engine, service = light
    values = example_values()
    answer = next(code for code, value in values.items() if isinstance(value, bool))
    values[answer] = not values[answer]
    view = appraised(service, 2020, values, scorings=scorings)
    assert len(scorings) == 1
    assert view.stored_scores["verified_score"] == fresh_score(service, view.id)
    assert view.stored_scores["verified_score"] != view.stored_scores["self_score"]


@pytest.mark.parametrize(("year", "tamper"), [
    (2021, {"fingerprint": "0" * 16}),  # scored under other criteria content
    (2022, {"engine_version": "0.0.0"}),  # by another engine
    (2023, {"commune": {"code": C1, "name": "Xã cũ"}}),  # under the commune's former name
])
def test_a_self_assessed_score_made_under_anything_else_is_not_taken(light, scorings, year, tamper):
    _engine, service = light
    view = appraised(service, year, example_values(), tamper, scorings)
    assert len(scorings) == 1
    assert view.stored_scores["verified_score"] == fresh_score(service, view.id)
    assert view.stored_scores["verified_score"] != view.stored_scores["self_score"]


def test_a_change_of_the_values_read_with_the_lock_is_written_even_when_nothing_is_audited(light):
    """The values a change reads with the dossier's lock are plain rows, not ORM objects: whatever the change
    set on them is written at the commit, as the ORM's flush wrote its objects. Here: an appraisal that leaves a
    field blank whose value was appraised for an earlier submission clears that stale value (it never counted,
    so no appraised value changes and no entry is appended), and it stays unappraised."""
    from dossiers.models import IndicatorValue

    _engine, service = light
    view = service.create("c1", C1, 2024)
    view = service.set_values("c1", view.id, example_values(), view.lock_version)
    view = service.transition("c1", view.id, "submit", expected_version=view.lock_version)
    view = service.appraise("d1", view.id, example_values())
    with service.transaction() as s:  # appraised for an earlier submission
        s.execute(update(IndicatorValue).where(IndicatorValue.dossier_id == view.id).values(appraised_in=0))
    code = sorted(example_values())[0]
    entries = len(service.history("d1", view.id))
    after = service.appraise("d1", view.id, {code: None})
    assert after.lock_version == view.lock_version and len(service.history("d1", view.id)) == entries
    assert view.values[code]["appraised"] is not None and service.get("d1", view.id).values[code]["appraised"] is None
    with service.transaction() as s:  # written at the commit: the stale value is gone from the row
        row = s.execute(select(IndicatorValue).where(IndicatorValue.dossier_id == view.id,
                                                     IndicatorValue.code == code)).scalar_one()
        assert (row.appraised_value, row.appraised_in) == (None, None)
