"""The texts of a criteria correction's impact as messages (``engine.messages``): why a dossier cannot be
compared, and the failed recognition conditions of a dossier that changes eligibility. As strings they are the
Vietnamese of the page, the spreadsheet and the JSON; ``cfc --lang en criteria impact`` renders them in English.

Scoring writes failed conditions as plain Vietnamese text (``engine.scoring.standing``); each is made again as a
message from the standing's own figures (``engine.wording.failed_message``) and used only when it is exactly
that text, else the text is kept as it is."""

from __future__ import annotations

from engine.assessment import MISSING
from engine.messages import N_, Message, message_of
from engine.models import CriteriaVersion
from engine.wording import failed_message

SIDES = {"base": N_("bộ hiện hành %(version)s: %(why)s"), "proposed": N_("bản đề xuất %(version)s: %(why)s")}


def not_comparable(exc: Exception) -> Message | str:
    """Why a dossier's values do not check under a version: the number of missing values, then up to three
    other problems."""
    problems = getattr(exc, "problems", None)
    if not problems:
        return message_of(exc)
    missing = [p.code for p in problems if p.message == MISSING]
    parts: list = [N_("%(count)s chỉ số chưa có giá trị", count=len(missing))] if missing else []
    parts += [_described(p) for p in problems if p.message != MISSING][:3]
    return Message("%(parts)s", parts=parts)


def _described(problem) -> Message | str:
    return problem.describe() if hasattr(problem, "describe") else str(problem)


def reason(why: list[tuple[str, str, Message | str]]) -> Message | str:
    """Why a dossier cannot be compared: once when both versions say the same, else under each."""
    if len(why) == 2 and why[0][2] == why[1][2]:
        return why[0][2]
    return Message("%(parts)s", parts=[Message(SIDES[key], version=vid, why=text) for key, vid, text in why])


def readable_failed(failed: list[str], total: int, points: dict[str, int], version: CriteriaVersion) -> list:
    """``failed`` (a standing's conditions under ``version``), each as a message when it can be made again."""
    score = {"total": total, "criteria": [{"code": c.code, "points": points.get(c.code, 0), "met_at": c.met_at}
                                          for c in version.criteria]}
    thresholds = sorted({c.threshold for c in version.categories})
    return [_remade(text, score, thresholds) for text in failed]


def _remade(text: str, score: dict, thresholds: list[int]) -> Message | str:
    if isinstance(text, Message):
        return text
    code = text.split(" ", 1)[0]  # "TC07 bị 0 điểm", "TC07 chưa đạt: …"; else the total's condition
    tries = [({"condition": condition, "criterion": code}, score)
             for condition in ("no_criterion_zero", "all_criteria_met")]
    tries += [({"condition": "total_reaches_threshold"}, {**score, "threshold": t}) for t in thresholds]
    for failed, figures in tries:
        made = failed_message({**failed, "message": text}, figures)
        if isinstance(made, Message):
            return made
    return text
