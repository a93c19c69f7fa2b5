"""The engine's exceptions: each says where and why, so the CLI and web layer can show it as it is."""

from __future__ import annotations

from dataclasses import dataclass

from .messages import Message


class CfcError(Exception):
    """Base of every error the engine raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem in a criteria file: the file, the line (1-based, 0 when unknown), the field and why."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}"


class CriteriaError(CfcError):
    """A criteria file is invalid. Holds every problem found in one run."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class InputProblem:
    """One bad value in an assessment: the indicator code (or field) and why."""

    code: str
    message: str  # a ``Message`` (engine.messages) when the engine wrote it: rendered in the reader's language

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def describe(self) -> Message:
        """``code: message``, still translatable."""
        return Message("%(code)s: %(message)s", code=self.code, message=self.message)


class AssessmentError(CfcError):
    """An assessment has bad values. Holds every problem, so a user fixes them all at once."""

    def __init__(self, problems: list[InputProblem], source: str = ""):
        self.problems = list(problems)
        self.source = source
        described = [p.describe() for p in self.problems]
        super().__init__(Message("%(source)s: %(problems)s", source=source, problems=described) if source
                         else Message("%(problems)s", problems=described))


class NoVersionInForce(CfcError):
    """No criteria version covers the requested date."""


class UnknownVersion(CfcError):
    """No criteria version has the requested id."""


class EngineMismatch(CfcError):
    """durable-rules and the independent evaluator disagree: the result must not be used."""


class RulesEngineError(CfcError):
    """durable-rules failed (an action raised, no rule matched, or it is not installed)."""


class EditError(CfcError):
    """A rules administrator's edit was refused (unknown field, official version, bad value)."""


class NotFound(CfcError):
    """No such dossier, unit or user."""


class AccessDenied(CfcError):
    """The actor's role or jurisdiction does not allow this."""


class ConflictError(CfcError):
    """Someone else changed the dossier since the actor loaded it; says who and what."""
