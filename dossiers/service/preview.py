"""The score and gap plan of values a commune officer is typing, before saving: nothing is stored, nothing is
audited (a read-only transaction). The officer must be allowed to edit the dossier (role, jurisdiction, a
draft: ``authority``), as for saving."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.assessment import Commune
from engine.preview import Preview, preview
from engine.result import ScoreResult

from .. import authority
from ..lookup import load_dossier, load_user
from .scores import result_or_none

if TYPE_CHECKING:
    from . import DossierService


def preview_values(svc: DossierService, username: str, dossier_id: int, raw: dict, full: bool = True
                   ) -> tuple[Preview, ScoreResult | None]:
    """What ``raw`` (code → typed text) would give: the preview, and (``full``) the full score once complete."""
    with svc.transaction(readonly=True) as s:
        user = load_user(s, username)
        dossier = load_dossier(s, dossier_id, user)
        authority.check(svc.procedures, user, "edit", dossier=dossier)
        version = svc.version_of(dossier)
        commune = Commune(dossier.commune.code, dossier.commune.name, dossier.category)
        year = dossier.year
    found = preview(version, raw)
    wanted = full and found.complete
    score = result_or_none(version, commune, year, found.values, svc.settings.engine) if wanted else None
    return found, score
