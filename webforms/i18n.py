"""Vietnamese by default, English on request (``?lang=en``, kept in the session)."""

from __future__ import annotations

from flask import Flask, request, session
from flask_babel import Babel

LANGUAGES = ("vi", "en")


def select_locale() -> str:
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
    return session.get("lang", "vi")


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale)

    @app.context_processor
    def _languages():
        return {"languages": LANGUAGES, "current_lang": select_locale()}
