"""``engine.scoring.standing`` (what the impact of a criteria correction compares) decides exactly what
``engine.scoring.score`` decides: total, eligibility, failed conditions and points per criterion, for values
aimed at the band edges of every version and for every category."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.assessment import Assessment, Commune, check_values
from engine.scoring import score, standing
from tests.test_property import VERSION_IDS, _registry, raw_values


@pytest.mark.parametrize("version_id", VERSION_IDS)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_standing_decides_what_score_decides(version_id: str, data):
    version = _registry().get(version_id)
    category = data.draw(st.sampled_from([c.id for c in version.categories]))
    values = check_values(version, data.draw(raw_values(version)), category)
    assessment = Assessment(Commune("00001", "Xã thử", category), 2024, dt.date(2024, 11, 1), version.id, values)
    full = score(version, assessment, "python")
    assert standing(version, assessment, "python") == (
        full.total, full.recognized, [f.message for f in full.failed_conditions],
        {c.code: c.points for c in full.criteria})
