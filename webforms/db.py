"""The app's connection to the store: one SQLAlchemy engine and one dossier service per app."""

from __future__ import annotations

from flask import Flask, current_app

from certificates.signature import signable_pdf
from dossiers import criteria_admin
from dossiers.config import Settings
from dossiers.db import make_engine, session_factory
from dossiers.service import DossierService


def init_app(app: Flask) -> None:
    current = settings(app)
    engine = make_engine(current.database_url)
    app.extensions["cfc.engine"] = engine
    # the app's engine outlives every request: a change's view reads its evidence when a page shows it
    app.extensions["cfc.service"] = DossierService(session_factory(engine), settings=current, lazy_views=True)
    app.extensions["cfc.service"].renderer = signable_pdf  # documents are signed at issuance
    criteria_admin.refresh(app.extensions["cfc.service"])

    @app.before_request
    def _current_criteria() -> None:
        """A correction made by the CLI or another worker reaches this worker's scores at its next request."""
        criteria_admin.refresh(app.extensions["cfc.service"])


def settings(app: Flask | None = None) -> Settings:
    """The deployment's settings (``create_app(settings)``)."""
    return (app or current_app).extensions["cfc.settings"]


def service() -> DossierService:
    return current_app.extensions["cfc.service"]
