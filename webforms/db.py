"""The app's connection to the store: one SQLAlchemy engine and one dossier service per app."""

from __future__ import annotations

from flask import Flask, current_app

from engine.store.db import make_engine, session_factory
from engine.store.service import DossierService


def init_app(app: Flask) -> None:
    engine = make_engine(app.config.get("DATABASE_URL"))
    app.extensions["cfc.engine"] = engine
    app.extensions["cfc.service"] = DossierService(session_factory(engine))


def service() -> DossierService:
    return current_app.extensions["cfc.service"]
