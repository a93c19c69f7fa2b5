"""What the commune's form shows beside its fields: the guide (points per criterion, total against the
threshold, what is missing, every problem, the gap plan) computed from the values as typed, and what a return
said (who, when, why, the appraisers' comments per indicator, kept by the audit entry of the return)."""

from __future__ import annotations

from flask import render_template, request

from engine.models import CriteriaVersion
from engine.shared import shared_sources

from ..db import service
from ..forms import field_name


def typed_raw(version: CriteriaVersion, form) -> dict:
    """code → the text in each field of the form (what was posted, else what it shows), None when blank.
    A copy of a shared number has no field of its own: None (it takes its source's value)."""
    copies = shared_sources(version)
    out = {}
    for _crit, ind in version.indicators():
        data = None if ind.code in copies else getattr(form, field_name(ind.code)).data
        out[ind.code] = None if data in (None, "", "None") else str(data)
    return out


def posted_raw(version: CriteriaVersion) -> dict:
    """code → text posted under each indicator's field name (a preview: nothing else is read)."""
    copies = shared_sources(version)
    return {ind.code: None if ind.code in copies else request.form.get(field_name(ind.code))
            for _crit, ind in version.indicators()}


def guide(username: str, view, version: CriteriaVersion, raw: dict, stored: bool = False) -> dict:
    """The template context of ``_guide.html`` for values ``raw`` (stored nowhere). ``stored``: ``raw`` are the
    stored values, whose score the dossier holds already (saving scores them): it is not computed again."""
    found, score = service().preview_values(username, view.id, raw, full=not stored)
    if stored and found.complete:
        score = view.self_score
    category = version.category(view.category)
    return {"threshold": category.threshold if category else None, "found": found, "preview_score": score, "version": version, "indicators": version.indicator_map(),
            "copies": shared_sources(version)}


def render_guide(username: str, view, version: CriteriaVersion, raw: dict) -> str:
    return render_template("commune/_guide.html", **guide(username, view, version, raw))


def returned(view, history: list[dict]) -> dict | None:
    """The latest return of a draft that was submitted before: who, when, why and the comments it cleared."""
    if view.status != "draft" or not view.submission:
        return None
    for entry in reversed(history):
        if entry["action"] == "transition.submit":
            return None
        if entry["action"] == "transition.return":
            before = entry.get("before") or {}
            return {"actor": entry["actor"], "at": entry["at"], "reason": entry["reason"] or "",
                    "comments": before.get("comments") or {}, "appraised": before.get("appraised") or {}}
    return None
