"""A dossier's values as typed values, what keeps them from being complete, and the score they give."""

from __future__ import annotations

from engine.assessment import Assessment, Commune, check_values, from_canonical
from engine.errors import AssessmentError
from engine.loader import Registry
from engine.messages import N_
from engine.models import CriteriaVersion
from engine.result import ScoreResult
from engine.scoring import score
from engine.workflow import round_date

from ..models import Dossier, IndicatorValue
from . import locked_values
from .view import DossierView, appraised_text


def stored_value(item: IndicatorValue, dossier: Dossier, column: str) -> str | None:
    """The canonical text of one column of a value. An appraised value counts only when it was appraised for
    the dossier's latest submission (``appraised_in``): a return clears the appraisal, and a value appraised
    before it never counts for the next submission."""
    return appraised_text(item, dossier) if column == "appraised_value" else getattr(item, column)


def typed_values(version: CriteriaVersion, dossier: Dossier, column: str) -> dict:
    """code → typed value of one column (``self_value`` or ``appraised_value``, see ``stored_value``), empty
    values left out."""
    indicators = version.indicator_map()
    out = {}
    for v in locked_values.of(dossier):
        text = stored_value(v, dossier, column)
        if text is not None and v.code in indicators:
            out[v.code] = from_canonical(indicators[v.code].type, text)
    return out


def problems(version: CriteriaVersion, dossier: Dossier, column: str) -> list[str]:
    """Why a set of values is not complete and valid: missing codes in one line, then each bad value."""
    try:
        check_values(version, typed_values(version, dossier, column), dossier.category)
    except AssessmentError as exc:
        missing = [p.code for p in exc.problems if p.message == "chưa nhập giá trị"]
        out = [N_("%(count)s chỉ số chưa nhập (%(codes)s)", count=len(missing), codes=", ".join(missing))
               ] if missing else []
        return out + [p.describe() for p in exc.problems if p.message != "chưa nhập giá trị"]
    return []


def try_score(version: CriteriaVersion, dossier: Dossier, column: str, mode: str = "durable") -> dict | None:
    """The score of a complete, valid set of values as stored (``ScoreResult.to_dict()``); None while something
    is missing. ``mode``: the setting ``engine``."""
    result = score_result(version, dossier, column, mode)
    return result.to_dict() if result is not None else None


def score_result(version: CriteriaVersion, dossier: Dossier, column: str, mode: str = "durable"
                 ) -> ScoreResult | None:
    """The score of a complete, valid set of values; None while something is missing."""
    commune = Commune(dossier.commune.code, dossier.commune.name, dossier.category)
    return result_or_none(version, commune, dossier.year, typed_values(version, dossier, column), mode)


def preview_appraisal(registry: Registry, view: DossierView, mode: str = "durable") -> ScoreResult | None:
    """The score the appraised values give, each missing appraised value taken from the commune's."""
    version = registry.get(view.criteria_version)
    indicators = version.indicator_map()
    typed = {}
    for code, v in view.values.items():
        text = v["appraised"] if v["appraised"] is not None else v["self"]
        if text is not None and code in indicators:
            typed[code] = from_canonical(indicators[code].type, text)
    commune = Commune(view.commune_code, view.commune_name, view.category)
    return result_or_none(version, commune, view.year, typed, mode)


def result_or_none(version: CriteriaVersion, commune: Commune, year: int, values: dict,
                   mode: str = "durable") -> ScoreResult | None:
    """The score of a complete, valid set of typed values; None while something is missing."""
    try:
        checked = check_values(version, values, commune.category)
    except AssessmentError:
        return None
    return score(version, Assessment(commune, year, round_date(year), version.id, checked), mode)
