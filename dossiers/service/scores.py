"""A dossier's values as typed values, what keeps them from being complete, and the score they give."""

from __future__ import annotations

from engine import __version__ as engine_version
from engine.assessment import Assessment, Commune, check_values, from_canonical
from engine.errors import AssessmentError
from engine.loader import Registry, fingerprint
from engine.messages import N_
from engine.models import CriteriaVersion
from engine.result import SCHEMA_VERSION, ScoreResult
from engine.scoring import ENGINE_LABELS, engine_mode, score
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


def verified_score(version: CriteriaVersion, dossier: Dossier, mode: str = "durable") -> tuple[dict | None, int | None]:
    """The score of the appraised values as stored (``ScoreResult.to_dict()``) and its total; (None, None) while
    something is missing. When the appraised values are exactly the self-assessed ones, the stored
    self-assessed score is that score, and it is taken instead of scoring again, provided it was computed under
    exactly what a score now would be: the same criteria content (fingerprint), version and schema, engine
    mode and engine version, commune (code and name), category, year and round date. (Every writer of the
    self-assessed values scores them in the same transaction, and the values cannot change once submitted;
    ``tests/store/test_statement_budget.py`` compares the two.) Otherwise the appraised values are scored."""
    stored = dossier.self_score
    if isinstance(stored, dict) and _scored_as_now(stored, version, dossier, mode) and \
            typed_values(version, dossier, "appraised_value") == typed_values(version, dossier, "self_value"):
        return stored, stored["total"]
    result = score_result(version, dossier, "appraised_value", mode)
    return (result.to_dict(), result.total) if result is not None else (None, None)


def _scored_as_now(stored: dict, version: CriteriaVersion, dossier: Dossier, mode: str) -> bool:
    """Whether a stored score's header is what a score of the dossier's values would carry now."""
    commune = dossier.commune
    now = {"schema_version": SCHEMA_VERSION, "criteria_version": version.id, "fingerprint": fingerprint(version),
           "engine": ENGINE_LABELS.get(engine_mode(mode)), "engine_version": engine_version, "year": dossier.year,
           "assessed_on": round_date(dossier.year).isoformat(), "commune": {"code": commune.code, "name": commune.name}}
    return all(stored.get(key) == value for key, value in now.items()) and \
        isinstance(stored.get("category"), dict) and stored["category"].get("id") == dossier.category \
        and isinstance(stored.get("total"), int)


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
