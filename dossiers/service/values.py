"""A dossier's values: opening a commune's dossier of a round (every indicator empty), the commune saving its
self-assessed values, the district recording appraised values and comments. Every value of a call is checked
before any is stored; every bad one is reported. Comments are stored in NFC: saving the same text again, however
it was typed, changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Integer, String, bindparam, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from engine import __version__ as engine_version
from engine.assessment import canonical_text, coerce, from_canonical, pair_problems, parse_text, value_pairs
from engine.errors import AssessmentError, CfcError, ConflictError, InputProblem
from engine.messages import N_
from engine.models import CriteriaVersion
from engine.numbers import format_number
from engine.shared import shared_problems, shared_sources
from engine.text import nfc
from engine.workflow import procedure_for, round_date

from .. import audit, authority
from ..lookup import load_user
from ..models import CommuneCategory, Dossier, IndicatorValue, Unit, User
from ..units import choose_unit
from . import locked_values, versioned
from .base import USER_UNIT, log, log_changes, writable
from .decisions import COMMENT_MAX, text_problem
from .scores import stored_value, try_score
from .view import DossierView, view_of

if TYPE_CHECKING:
    from . import DossierService


def create(svc: DossierService, username: str, commune_code: str, year: int) -> DossierView:
    """A commune's dossier of a round, under the criteria version and procedure in force on its date."""
    with svc.transaction() as s:
        day = round_date(year)
        user, commune, (exists, category) = _actor_commune_taken_category(s, username, commune_code, year, day)
        authority.check(svc.procedures, user, "edit", commune=commune, year=year)
        proc = procedure_for(day, svc.procedures)
        if exists is not None:
            raise ConflictError(N_("%(commune)s đã có hồ sơ năm %(year)s (số %(id)s)", commune=commune.name,
                                   year=str(year), id=str(exists)))
        if category is None:
            raise CfcError(N_("chưa có phân loại của %(commune)s (%(code)s) năm %(year)s: nhập cột category_%(year)s "
                              "bằng `cfc units import`", commune=commune.name, code=commune.code, year=str(year)))
        version = svc.registry.in_force(day)
        stamp = audit.now()
        dossier = versioned.insert(s, commune_id=commune.id, year=year, status="draft", criteria_version=version.id,
                                   procedure=proc.id, category=category, created_at=stamp, updated_at=stamp)
        codes = sorted(version.indicator_map())  # as the values relationship orders them
        _insert_empty(s, dossier.id, codes)
        log(s, user, dossier, "dossier.create", commune.code,
            after={"year": year, "criteria_version": version.id, "procedure": proc.id, "category": category})
        # the view from what this transaction wrote: every value empty, no evidence yet
        return view_of(svc.registry, dossier, values=[locked_values.Value([None, code, None, None, None, None])
                                                      for code in codes], evidence=[])


def _insert_empty(s: Session, dossier_id: int, codes: list[str]) -> None:
    """A new dossier's values, every one empty, in one statement: SQLite runs it once per value inside its
    driver (``executemany``); PostgreSQL gets the codes as one array (psycopg would send a statement per row)."""
    if s.get_bind().dialect.name == "postgresql":
        s.connection().execute(_EMPTY_FROM_ARRAY, {"dossier_id": dossier_id, "codes": codes})
    else:
        s.connection().execute(_EMPTY, [{"dossier_id": dossier_id, "code": code} for code in codes])


_EMPTY = IndicatorValue.__table__.insert()
_EMPTY_FROM_ARRAY = IndicatorValue.__table__.insert().from_select(
    ["dossier_id", "code"], select(bindparam("dossier_id", type_=Integer),
                                   func.unnest(bindparam("codes", type_=postgresql.ARRAY(String)))))
_YEAR = bindparam("year", type_=Integer)
_TAKEN = select(Dossier.id).where(Dossier.commune_id == Unit.id, Dossier.year == _YEAR) \
    .correlate(Unit).scalar_subquery()
_CANDIDATES = (  # made once: reusing it costs SQLAlchemy nothing to build or to look up
    select(User, Unit, CommuneCategory.category, _TAKEN).select_from(User)
    .outerjoin(Unit, (Unit.code == bindparam("code", type_=String)) & (Unit.level == "commune"))
    .outerjoin(CommuneCategory, (CommuneCategory.unit_id == Unit.id) & (CommuneCategory.year == _YEAR))
    .where(User.username == bindparam("username", type_=String)).options(*USER_UNIT))


def _actor_commune_taken_category(s: Session, username: str, code: str, year: int, day: dt.date
                                  ) -> tuple[User, Unit, tuple[int | None, str | None]]:
    """The active user (with their unit), the commune with ``code`` in force on ``day`` (``units.find_unit``'s
    choice), the id of its dossier of the round (None: none yet) and its category that year (None: not
    imported), in one statement (a row per commune with that code). Errors as ``load_user`` and ``find_unit``
    give them, in that order."""
    rows = s.execute(_CANDIDATES, {"username": username, "code": str(code), "year": year}).all()
    if not rows or not rows[0][0].active:
        load_user(s, username)  # raises its error
    commune = choose_unit([row[1] for row in rows if row[1] is not None], code, day)
    row = next(row for row in rows if row[1] is commune)
    return row[0], commune, (row[3], row[2])


def set_values(svc: DossierService, username: str, dossier_id: int, raw: dict,
               expected_version: int | None = None) -> DossierView:
    """Save self-assessed values (a draft may be incomplete); every bad value is reported, none stored."""
    with svc.transaction() as s:
        user, dossier = writable(s, svc.procedures, username, dossier_id, "edit", "draft", expected_version,
                                 "edit", N_("hồ sơ đang ở trạng thái «%(status)s»: chỉ sửa khi đang soạn"), values=True)
        version = svc.version_of(dossier)
        changed = apply(version, dossier, raw, "self_value")
        if changed:
            dossier.self_score = try_score(version, dossier, "self_value", svc.settings.engine)
            dossier.engine_version = engine_version
            log_changes(s, user, dossier, "values.set", changed)
        return view_of(svc.registry, dossier, reader=svc.view_reader)


def appraise(svc: DossierService, username: str, dossier_id: int, raw: dict, comments: dict | None = None,
             expected_version: int | None = None) -> DossierView:
    """Record appraised values and comments of a submitted dossier."""
    with svc.transaction() as s:
        user, dossier = writable(s, svc.procedures, username, dossier_id, "appraise", "submitted",
                                 expected_version, "appraise", N_("chỉ thẩm định hồ sơ đã nộp (đang: «%(status)s»)"),
                                 values=True)
        version = svc.version_of(dossier)
        changed = apply(version, dossier, raw, "appraised_value")
        by_code = {v.code: v for v in locked_values.of(dossier)}
        given = set(raw) | {copy for copy, source in shared_sources(version).items()  # copies take their source
                            if source in raw and copy not in raw}
        for code in given:  # apply() checked them all: the values given belong to this submission now
            item = by_code.get(code)
            if item is None:
                continue
            if code in changed or stored_value(item, dossier, "appraised_value") is not None:
                item.appraised_in = None if item.appraised_value is None else dossier.submission
            else:  # left blank: a value appraised for an earlier submission stays out of this one
                item.appraised_value = item.appraised_in = None
        for code, text in (comments or {}).items():
            if code not in by_code:
                raise AssessmentError([InputProblem(str(code), N_("không có chỉ số này trong bộ tiêu chí %(version)s",
                                                                   version=dossier.criteria_version))])
            old = by_code[code].comment
            new = nfc(text or "").strip() or None
            too_long = text_problem(N_("nhận xét của %(code)s", code=code), new, COMMENT_MAX)
            if too_long:
                raise AssessmentError([InputProblem(f"{code}#comment", too_long)])
            if (old and nfc(old)) != new:  # a comment stored decomposed earlier is the same text
                by_code[code].comment = new
                changed[f"{code}#comment"] = (old, new)
        if changed:
            log_changes(s, user, dossier, "values.appraise", changed)
        return view_of(svc.registry, dossier, reader=svc.view_reader)


def apply(version: CriteriaVersion, dossier: Dossier, raw: dict, column: str) -> dict[str, tuple]:
    """Validate every given value (text or typed), then store them all; returns code → (before, after)."""
    indicators = version.indicator_map()
    problems, typed = [], {}
    for code, value in raw.items():
        if code not in indicators:
            problems.append(InputProblem(str(code), N_("không có chỉ số này trong bộ tiêu chí %(version)s",
                                                       version=version.id)))
            continue
        if value is None or (isinstance(value, str) and value.strip() == ""):
            typed[code] = None
            continue
        kind = indicators[code].type
        parsed, message = parse_text(kind, value) if isinstance(value, str) else coerce(kind, value)
        if message:
            problems.append(InputProblem(code, message))
        else:
            typed[code] = parsed
    # a shared number (``same_as``) is one number: given at its source alone, its copies take it; given
    # everywhere, the copies must equal it (checked below)
    sources = shared_sources(version)
    for copy, source in sources.items():
        if source in typed and copy not in raw:
            typed[copy] = typed[source]
    merged = {v.code: from_canonical(indicators[v.code].type, stored_value(v, dossier, column))
              for v in locked_values.of(dossier) if v.code in indicators}
    merged.update(typed)
    if column == "appraised_value":  # checked as the panel will score them: appraised where given, else the commune's
        problems.extend(effective_pair_problems(version, dossier, merged, set(typed)))
    else:
        problems.extend(pair_problems(version, merged))
    problems.extend(p for p in shared_problems(version, merged) if p.code in raw or sources[p.code] in raw)
    if problems:
        raise AssessmentError(problems)
    changed = {}
    for item in locked_values.of(dossier):
        if item.code in typed:
            new = None if typed[item.code] is None else canonical_text(typed[item.code])
            old = stored_value(item, dossier, column)  # a stale appraisal counts as none
            if new != old:
                setattr(item, column, new)
                changed[item.code] = (old, new)
    return changed


def effective_pair_problems(version: CriteriaVersion, dossier: Dossier, appraised: dict, given: set[str]
                            ) -> list[InputProblem]:
    """Numerators above their denominators among the panel's effective values (``appraised``, code → typed
    value or None; the commune's value where none is appraised), for the pairs a value of ``given`` belongs
    to. Each is reported on the value given (the numerator when both are), naming both indicators by code and
    label and saying whose each value is."""
    indicators = version.indicator_map()
    commune = {v.code: from_canonical(indicators[v.code].type, v.self_value)
               for v in locked_values.of(dossier) if v.code in indicators and v.self_value is not None}
    out = []
    for top, bottom in value_pairs(version):
        if not {top, bottom} & given:
            continue
        values, whose = {}, {}
        for code in (top, bottom):
            appraised_value = appraised.get(code)
            values[code] = appraised_value if appraised_value is not None else commune.get(code)
            whose[code] = N_("thẩm định") if appraised_value is not None else N_("xã tự đánh giá")
        if values[top] is None or values[bottom] is None or values[top] <= values[bottom]:
            continue
        out.append(InputProblem(top if top in given else bottom, N_(
            "«%(label)s» (%(code)s) %(value)s (%(whose)s) lớn hơn «%(total_label)s» (%(total_code)s) %(total)s "
            "(%(total_whose)s)", label=indicators[top].label, code=top, value=format_number(values[top]),
            whose=whose[top], total_label=indicators[bottom].label, total_code=bottom,
            total=format_number(values[bottom]), total_whose=whose[bottom])))
    return out
