"""Before a version is published: the recognised dossiers whose eligibility its content would change.

Publishing is allowed all the same, but the publish page and ``cfc criteria publish`` list these dossiers first
and ask for confirmation. A recognised dossier stands on its stored appraisal (``verified_score``); it is
scored again on its appraised values under the version about to be published (the file as it is now, which
may have been corrected since the dossier was scored). The list covers every province: publishing changes the
rules for all of them, and who is recognised is public (the verification page says so).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, select
from sqlalchemy.orm import defer

from engine.models import CriteriaVersion

from .config import Settings
from .db import make_engine, session_factory
from .impact import Flip, Standing, pair_scorer, prepare, score_pairs, stage_texts
from .models import Dossier
from .service import DossierService


def recognised_changes(service: DossierService, version: CriteriaVersion) -> list[Flip]:
    """The recognised dossiers of ``version.id`` whose eligibility differs under ``version`` from the stored
    appraisal; a dossier whose stored score cannot be read or whose values no longer check is listed too."""
    with service.transaction(readonly=True) as s:
        rows = s.execute(select(Dossier).where(Dossier.status == "recognized",
                                               Dossier.criteria_version == version.id)
                         .options(defer(Dossier.self_score))).scalars().all()
        stored = {d.id: _stored(d.verified_score) for d in rows}
        with pair_scorer(service, version, version, len(rows)) as scorer:
            prepared, incomplete = prepare(rows, stage_texts(s, rows), version, version)
            scored = score_pairs(scorer, prepared, _quiet)
    out = []
    for info, _old, new in scored:
        old = stored[info["dossier_id"]]
        if old.eligible != new.eligible:
            out.append(Flip(**info, gains=new.eligible, old=old, new=new.readable(version)))
    for item in incomplete:  # values that no longer check under the version: not eligible under it
        out.append(Flip(item.dossier_id, item.commune_code, item.commune_name, "", item.status, "appraised", False,
                        stored[item.dossier_id], Standing(0, False, [item.reason], {})))
    return sorted(out, key=lambda f: (f.commune_code, f.dossier_id))


def _stored(score: dict | None) -> Standing:
    score = score or {}
    return Standing(total=score.get("total", 0), eligible=bool(score.get("recognized")),
                    failed=[f.get("message", "") for f in score.get("failed_conditions", [])],
                    points={c.get("code"): c.get("points", 0) for c in score.get("criteria", [])})


def _quiet(label: str, length: int):
    from .bulk.progress import no_progress

    return no_progress(label, length)


def changes_before_publish(settings: Settings, registry, version: CriteriaVersion) -> list[Flip]:
    """``recognised_changes`` over the deployment's database; [] when it has none (yet)."""
    url = settings.database_url
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        return []
    engine = make_engine(url)
    try:
        if not inspect(engine).has_table("dossiers"):
            return []
        service = DossierService(session_factory(engine), registry=registry, settings=settings)
        return recognised_changes(service, version)
    finally:
        engine.dispose()

