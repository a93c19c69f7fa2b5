"""The dossier service: the one place where dossiers change. Used by the CLI and the web app alike.

Every public method is one transaction: it loads the actor and the dossier, checks jurisdiction and role
against the dossier's dated procedure, validates, changes, appends to the audit chain and commits, or changes
nothing. Optimistic locking: a caller that passes ``expected_version`` (the version it showed the user) gets a
``ConflictError`` naming who changed what since; two concurrent writers never both win.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from .. import __version__ as engine_version
from ..assessment import (
    Assessment,
    Commune,
    canonical_text,
    check_values,
    coerce,
    from_canonical,
    pair_problems,
    parse_text,
)
from ..errors import AccessDenied, AssessmentError, CfcError, ConflictError, InputProblem, NotFound
from ..loader import Registry
from ..models import CriteriaVersion
from ..scoring import score
from ..workflow import (
    EVENTS,
    TRANSITIONS,
    GuardContext,
    Procedure,
    TransitionRefused,
    guard_reasons,
    load_procedures,
    procedure_by_id,
    procedure_for,
    round_date,
    target_state,
)
from . import audit
from .db import readonly_factory
from .evidence import store_evidence
from .models import Dossier, IndicatorValue, Setting, Unit, User
from .units import category_of, contains, find_unit, path_names


@dataclass
class DossierView:
    """A dossier as plain data for pages, the API and the CLI."""

    id: int
    commune_code: str
    commune_name: str
    units: dict
    year: int
    status: str
    category: str
    criteria_version: str
    procedure: str
    lock_version: int
    values: dict = field(default_factory=dict)  # code → {"self", "appraised", "comment"} as canonical text
    self_score: dict | None = None
    verified_score: dict | None = None
    engine_version: str | None = None
    panel_members: list | None = None
    decision_number: str | None = None
    decision_date: str | None = None
    evidence: list = field(default_factory=list)
    provisional: bool = False


class DossierService:
    def __init__(self, sessions: sessionmaker[Session], registry: Registry | None = None,
                 procedures: list[Procedure] | None = None):
        self.sessions = sessions
        bind = sessions.kw.get("bind")
        self._readers = readonly_factory(bind) if bind is not None else sessions
        self.registry = registry or Registry.load()
        self.procedures = procedures if procedures is not None else load_procedures()

    # ------------------------------------------------------------------------------------------ plumbing
    @contextlib.contextmanager
    def transaction(self, readonly: bool = False) -> Iterator[Session]:
        """One transaction; ``readonly`` ones must not write (on SQLite they do not take the write lock)."""
        session = self._readers() if readonly else self.sessions()
        try:
            with session.begin():
                yield session
        except StaleDataError:
            raise ConflictError("hồ sơ vừa được người khác thay đổi; hãy tải lại và thử lại") from None
        finally:
            session.close()

    def _user(self, session: Session, username: str) -> User:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None or not user.active:
            raise AccessDenied(f"không có người dùng {username!r}")
        return user

    def _dossier(self, session: Session, dossier_id: int, user: User, lock: bool = False) -> Dossier:
        """The dossier, within the user's jurisdiction. ``lock`` (writers) takes its row lock, so a second
        writer waits for the first to commit and then sees what changed (PostgreSQL; SQLite's BEGIN IMMEDIATE
        already serialises writers)."""
        dossier = session.get(Dossier, dossier_id, with_for_update={"of": Dossier} if lock else None)
        if dossier is None:
            raise NotFound(f"không có hồ sơ {dossier_id}")
        if not contains(user.unit, dossier.commune):
            raise AccessDenied(f"hồ sơ {dossier_id} không thuộc địa bàn của {user.username}")
        return dossier

    def _require_step(self, user: User, dossier: Dossier, action: str) -> None:
        step = procedure_by_id(dossier.procedure, self.procedures).step_for(action, dossier.status)
        if not set(user.roles) & set(step.roles):
            raise AccessDenied(
                f"{action}: theo {dossier.procedure} cần vai trò {' hoặc '.join(step.roles)}; "
                f"{user.username} có {', '.join(user.roles)}"
            )
        if user.unit.level != step.level:
            raise AccessDenied(f"{action}: theo {dossier.procedure} do cấp {step.level} thực hiện, "
                               f"{user.username} thuộc cấp {user.unit.level}")

    def _writable(self, s: Session, username: str, dossier_id: int, step: str, state: str,
                  expected: int | None, event: str, refusal: str) -> tuple[User, Dossier]:
        """The actor and the locked dossier for a change of its values or evidence, after every check in
        order: jurisdiction, freshness, role and level (the procedure's ``step``), state (else ``event`` is
        refused with ``refusal``, where {status} stands for the dossier's status)."""
        user = self._user(s, username)
        dossier = self._dossier(s, dossier_id, user, lock=True)
        self._check_expected(s, dossier, expected)
        self._require_step(user, dossier, step)
        if dossier.status != state:
            raise TransitionRefused(event, [refusal.format(status=dossier.status)])
        return user, dossier

    def _log_changes(self, s: Session, user: User, dossier: Dossier, action: str, changed: dict) -> None:
        dossier.updated_at = audit.now()
        before = {c: b for c, (b, _) in changed.items()}
        after = {c: a for c, (_, a) in changed.items()}
        self._log(s, user, dossier, action, _codes(changed), before, after)

    def _check_expected(self, session: Session, dossier: Dossier, expected: int | None) -> None:
        if expected is None or expected == dossier.lock_version:
            return
        changes = [
            f"{e.actor} lúc {e.at[:19].replace('T', ' ')}: {e.action} {e.target}".strip()
            for e in audit.history(session, dossier.id)
            if e.dossier_version is not None and e.dossier_version > expected
        ]
        raise ConflictError(
            f"hồ sơ {dossier.id} đã thay đổi từ phiên bản {expected} lên {dossier.lock_version}: "
            + ("; ".join(changes) or "không rõ")
            + ". Không có gì được lưu; hãy tải lại."
        )

    def version_of(self, dossier: Dossier) -> CriteriaVersion:
        return self.registry.get(dossier.criteria_version)

    def _log(self, session: Session, user: User, dossier: Dossier, action: str, target: str = "", before=None,
             after=None, reason: str | None = None) -> None:
        session.flush()  # bumps lock_version (optimistic check happens here)
        audit.append(session, actor=user.username, action=action, target=target, before=before, after=after,
                     reason=reason, dossier_id=dossier.id, dossier_version=dossier.lock_version)

    # ---------------------------------------------------------------------------------------------- reads
    def get(self, username: str, dossier_id: int) -> DossierView:
        with self.transaction(readonly=True) as s:
            user = self._user(s, username)
            return self._view(self._dossier(s, dossier_id, user))

    def list(self, username: str, year: int | None = None, status: str | None = None) -> list[DossierView]:
        with self.transaction(readonly=True) as s:
            user = self._user(s, username)
            query = select(Dossier)
            if year is not None:
                query = query.where(Dossier.year == year)
            if status is not None:
                query = query.where(Dossier.status == status)
            rows = s.execute(query.order_by(Dossier.id)).scalars()
            return [self._view(d) for d in rows if contains(user.unit, d.commune)]

    def commune_counts(self, username: str, year: int) -> dict[str, int]:
        """Communes in the actor's jurisdiction in force on the round's date, per district (or province)."""
        day = round_date(year)
        with self.transaction(readonly=True) as s:
            user = self._user(s, username)
            counts: dict[str, int] = {}
            for unit in s.execute(select(Unit).where(Unit.level == "commune")).scalars():
                if (unit.valid_from and unit.valid_from > day) or (unit.valid_to and unit.valid_to < day):
                    continue
                if contains(user.unit, unit):
                    names = path_names(unit)
                    key = names.get("district") or names.get("province", "")
                    counts[key] = counts.get(key, 0) + 1
            return counts

    def history(self, username: str, dossier_id: int) -> list[dict]:
        with self.transaction(readonly=True) as s:
            user = self._user(s, username)
            dossier = self._dossier(s, dossier_id, user)
            return [
                {"seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action, "target": e.target,
                 "before": json.loads(e.before), "after": json.loads(e.after), "reason": e.reason,
                 "version": e.dossier_version}
                for e in audit.history(s, dossier.id)
            ]

    # --------------------------------------------------------------------------------------------- writes
    def create(self, username: str, commune_code: str, year: int) -> DossierView:
        with self.transaction() as s:
            user = self._user(s, username)
            day = round_date(year)
            commune = find_unit(s, commune_code, "commune", day)
            if not contains(user.unit, commune):
                raise AccessDenied(f"{commune.name} không thuộc địa bàn của {username}")
            proc = procedure_for(day, self.procedures)
            if not set(user.roles) & set(proc.steps["edit"].roles):
                raise AccessDenied(f"tạo hồ sơ: cần vai trò {', '.join(proc.steps['edit'].roles)}")
            exists = s.execute(
                select(Dossier).where(Dossier.commune_id == commune.id, Dossier.year == year)
            ).scalar_one_or_none()
            if exists is not None:
                raise ConflictError(f"{commune.name} đã có hồ sơ năm {year} (số {exists.id})")
            category = category_of(s, commune, year)
            if category is None:
                raise CfcError(f"chưa có phân loại của {commune.name} ({commune.code}) năm {year}: nhập cột "
                               f"category_{year} bằng `cfc units import`")
            version = self.registry.in_force(day)
            stamp = audit.now()
            dossier = Dossier(commune_id=commune.id, year=year, status="draft", criteria_version=version.id,
                              procedure=proc.id, category=category, created_at=stamp, updated_at=stamp)
            dossier.values = [IndicatorValue(code=code) for code in version.indicator_map()]
            s.add(dossier)
            self._log(s, user, dossier, "dossier.create", commune.code,
                      after={"year": year, "criteria_version": version.id, "procedure": proc.id,
                             "category": category})
            return self._view(dossier)

    def set_values(self, username: str, dossier_id: int, raw: dict, expected_version: int | None = None
                   ) -> DossierView:
        """Save self-assessed values (a draft may be incomplete); every bad value is reported, none stored."""
        with self.transaction() as s:
            user, dossier = self._writable(s, username, dossier_id, "edit", "draft", expected_version,
                                           "edit", "hồ sơ đang ở trạng thái {status}: chỉ sửa khi đang soạn")
            changed = self._apply(dossier, raw, "self_value")
            if changed:
                dossier.self_score = self._try_score(dossier, "self_value")
                dossier.engine_version = engine_version
                self._log_changes(s, user, dossier, "values.set", changed)
            return self._view(dossier)

    def appraise(self, username: str, dossier_id: int, raw: dict, comments: dict | None = None,
                 expected_version: int | None = None) -> DossierView:
        """Record appraised values and comments of a submitted dossier."""
        with self.transaction() as s:
            user, dossier = self._writable(s, username, dossier_id, "appraise", "submitted", expected_version,
                                           "appraise", "chỉ thẩm định hồ sơ đã nộp (đang: {status})")
            changed = self._apply(dossier, raw, "appraised_value")
            by_code = {v.code: v for v in dossier.values}
            for code, text in (comments or {}).items():
                if code not in by_code:
                    raise AssessmentError([InputProblem(code, "unknown indicator code")])
                old = by_code[code].comment
                new = (text or "").strip() or None
                if old != new:
                    by_code[code].comment = new
                    changed[f"{code}#comment"] = (old, new)
            if changed:
                self._log_changes(s, user, dossier, "values.appraise", changed)
            return self._view(dossier)

    def _prepare(self, s: Session, user: User, dossier: Dossier, event: str, reason: str | None,
                 expected_version: int | None, panel_members: list[str] | None) -> str:
        """Every check of an event, in order: freshness, state, role and level, guards. Returns the new state."""
        self._check_expected(s, dossier, expected_version)
        new_status = target_state(event, dossier.status)
        self._require_step(user, dossier, event)
        version = self.version_of(dossier)
        ctx = GuardContext(
            missing_self=tuple(self._problems(dossier, version, "self_value")) if event == "submit" else (),
            missing_appraised=(tuple(self._problems(dossier, version, "appraised_value"))
                               if event == "verify" else ()),
            verified_failures=tuple(
                f["message"] for f in (dossier.verified_score or {}).get("failed_conditions", [])
            ) if event == "recognize" else (),
            provisional=version.provisional,
            allow_samples=event == "recognize" and self._setting(s, "allow_sample_documents", False) is True,
        )
        reasons = guard_reasons(event, ctx, reason)
        if event == "recognize" and not dossier.verified_score:
            reasons.append("chưa có kết quả thẩm định")
        if event == "verify" and not [m for m in panel_members or [] if m and m.strip()]:
            reasons.append("cần ghi thành phần hội đồng thẩm định có mặt")
        if reasons:
            raise TransitionRefused(event, reasons)
        return new_status

    def check_transition(self, username: str, dossier_id: int, event: str, reason: str | None = None,
                         panel_members: list[str] | None = None) -> str:
        """Whether ``username`` may perform ``event`` now (the new state), else the refusal; changes nothing."""
        with self.transaction(readonly=True) as s:
            user = self._user(s, username)
            dossier = self._dossier(s, dossier_id, user)
            return self._prepare(s, user, dossier, event, reason, None, panel_members)

    def allowed(self, username: str, dossier_id: int) -> set[str]:
        """What ``username`` may do to the dossier now, by state, role and level (guards aside): the pages show
        only these buttons; every action is checked again when it is performed."""
        with self.transaction(readonly=True) as s:
            user = self._user(s, username)
            dossier = self._dossier(s, dossier_id, user)
            out = set()
            for action, state in (("edit", "draft"), ("appraise", "submitted")):
                if dossier.status == state and self._may(user, dossier, action):
                    out.add(action)
            for event in EVENTS:
                if dossier.status in TRANSITIONS[event] and self._may(user, dossier, event):
                    out.add(event)
            return out

    def _may(self, user: User, dossier: Dossier, action: str) -> bool:
        try:
            self._require_step(user, dossier, action)
        except AccessDenied:
            return False
        return True

    def transition(self, username: str, dossier_id: int, event: str, reason: str | None = None,
                   expected_version: int | None = None, panel_members: list[str] | None = None,
                   decision_number: str | None = None, decision_date: dt.date | None = None) -> DossierView:
        with self.transaction() as s:
            user = self._user(s, username)
            dossier = self._dossier(s, dossier_id, user, lock=True)
            new_status = self._prepare(s, user, dossier, event, reason, expected_version, panel_members)
            before = {"status": dossier.status}
            if event == "submit" and dossier.self_score is None:  # every save scores complete values already
                dossier.self_score = self._try_score(dossier, "self_value")
            if event == "verify":
                dossier.verified_score = self._try_score(dossier, "appraised_value")
                dossier.panel_members = [m.strip() for m in panel_members or [] if m and m.strip()]
            if event == "recognize":
                dossier.decision_number = decision_number
                dossier.decision_date = decision_date
            dossier.status = new_status
            dossier.engine_version = engine_version
            dossier.updated_at = audit.now()
            after = {"status": new_status}
            if event == "verify":
                after["verified_total"] = dossier.verified_score["total"]
                after["panel_members"] = dossier.panel_members
            if event == "recognize":
                after["decision"] = {"number": decision_number,
                                     "date": decision_date.isoformat() if decision_date else None}
            self._log(s, user, dossier, f"transition.{event}", event, before, after, reason)
            return self._view(dossier)

    def add_evidence(self, username: str, dossier_id: int, criterion: str, filename: str, content: bytes,
                     expected_version: int | None = None) -> DossierView:
        with self.transaction() as s:
            user, dossier = self._writable(s, username, dossier_id, "edit", "draft", expected_version,
                                           "evidence", "chỉ thêm minh chứng khi hồ sơ đang soạn")
            codes = [c.code for c in self.version_of(dossier).criteria]
            if criterion not in codes:
                raise AssessmentError([InputProblem(criterion, f"không có tiêu chí này trong {dossier.criteria_version}")])
            item = store_evidence(dossier, criterion, filename, content, user.username)
            s.add(item)
            dossier.updated_at = audit.now()
            self._log(s, user, dossier, "evidence.add", f"{criterion} {item.filename}",
                      after={"sha256": item.sha256, "size": item.size, "type": item.content_type})
            return self._view(dossier)

    # ------------------------------------------------------------------------------------------- settings
    def _setting(self, s: Session, key: str, default=None):
        row = s.get(Setting, key)
        return default if row is None else row.value

    def record(self, actor: str, action: str, target: str, before=None, after=None, reason=None) -> None:
        """Append a change that is not a dossier's (e.g. a criteria publication) to the audit trail."""
        with self.transaction() as s:
            audit.append(s, actor=actor, action=action, target=target, before=before, after=after, reason=reason)

    def setting(self, key: str, default=None):
        with self.transaction(readonly=True) as s:
            return self._setting(s, key, default)

    def set_setting(self, actor: str, key: str, value) -> None:
        with self.transaction() as s:
            row = s.get(Setting, key)
            before = None if row is None else row.value
            if row is None:
                s.add(Setting(key=key, value=value))
            else:
                row.value = value
            audit.append(s, actor=actor, action="setting.set", target=key, before=before, after=value)

    # ------------------------------------------------------------------------------------------- internals
    def _apply(self, dossier: Dossier, raw: dict, column: str) -> dict[str, tuple]:
        """Validate every given value (text or typed), then store them all; returns code → (before, after)."""
        version = self.version_of(dossier)
        indicators = version.indicator_map()
        problems, typed = [], {}
        for code, value in raw.items():
            if code not in indicators:
                problems.append(InputProblem(str(code), f"unknown indicator code for {version.id}"))
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
        merged = {v.code: from_canonical(indicators[v.code].type, getattr(v, column))
                  for v in dossier.values if v.code in indicators}
        merged.update(typed)
        problems.extend(pair_problems(version, merged))
        if problems:
            raise AssessmentError(problems)
        changed = {}
        for item in dossier.values:
            if item.code in typed:
                new = None if typed[item.code] is None else canonical_text(typed[item.code])
                old = getattr(item, column)
                if new != old:
                    setattr(item, column, new)
                    changed[item.code] = (old, new)
        return changed

    def typed_values(self, dossier: Dossier, column: str) -> dict:
        indicators = self.version_of(dossier).indicator_map()
        return {v.code: from_canonical(indicators[v.code].type, getattr(v, column))
                for v in dossier.values if v.code in indicators and getattr(v, column) is not None}

    def _problems(self, dossier: Dossier, version: CriteriaVersion, column: str) -> list[str]:
        """Why a set of values is not complete and valid: missing codes in one line, then each bad value."""
        try:
            check_values(version, self.typed_values(dossier, column), dossier.category)
        except AssessmentError as exc:
            missing = [p.code for p in exc.problems if p.message == "missing value"]
            out = [f"{len(missing)} chỉ số chưa nhập ({', '.join(missing)})"] if missing else []
            return out + [str(p) for p in exc.problems if p.message != "missing value"]
        return []

    def _try_score(self, dossier: Dossier, column: str) -> dict | None:
        """The score of a complete, valid set of values; None while something is missing."""
        commune = Commune(dossier.commune.code, dossier.commune.name, dossier.category)
        return score_or_none(self.version_of(dossier), commune, dossier.year, self.typed_values(dossier, column))

    def preview_appraisal(self, view: DossierView) -> dict | None:
        """The score the appraised values give, each missing appraised value taken from the commune's."""
        version = self.registry.get(view.criteria_version)
        indicators = version.indicator_map()
        typed = {}
        for code, v in view.values.items():
            text = v["appraised"] if v["appraised"] is not None else v["self"]
            if text is not None and code in indicators:
                typed[code] = from_canonical(indicators[code].type, text)
        commune = Commune(view.commune_code, view.commune_name, view.category)
        return score_or_none(version, commune, view.year, typed)

    def _view(self, d: Dossier) -> DossierView:
        version = self.version_of(d)
        return DossierView(
            id=d.id,
            commune_code=d.commune.code,
            commune_name=d.commune.name,
            units=path_names(d.commune),
            year=d.year,
            status=d.status,
            category=d.category,
            criteria_version=d.criteria_version,
            procedure=d.procedure,
            lock_version=d.lock_version,
            values={v.code: {"self": v.self_value, "appraised": v.appraised_value, "comment": v.comment}
                    for v in d.values},
            self_score=d.self_score,
            verified_score=d.verified_score,
            engine_version=d.engine_version,
            panel_members=d.panel_members,
            decision_number=d.decision_number,
            decision_date=d.decision_date.isoformat() if d.decision_date else None,
            evidence=[{"id": e.id, "criterion": e.criterion, "filename": e.filename, "size": e.size,
                       "sha256": e.sha256, "content_type": e.content_type, "uploaded_by": e.uploaded_by,
                       "uploaded_at": e.uploaded_at} for e in d.evidence],
            provisional=version.provisional,
        )



def _codes(changed: dict) -> str:
    """The changed codes for an audit line; long lists are shortened (before/after keep every code)."""
    codes = sorted(changed)
    values = [c for c in codes if "#" not in c]
    notes = len(codes) - len(values)
    text = ", ".join(values) if len(values) <= 6 else f"{len(values)} chỉ số ({', '.join(values[:4])}, …)"
    return text + (f"; {notes} nhận xét" if notes else "")


def score_or_none(version: CriteriaVersion, commune: Commune, year: int, values: dict) -> dict | None:
    """The score of a complete, valid set of typed values as a dict; None while something is missing."""
    try:
        checked = check_values(version, values, commune.category)
    except AssessmentError:
        return None
    return score(version, Assessment(commune, year, round_date(year), version.id, checked)).to_dict()
