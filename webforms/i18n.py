"""Vietnamese by default, English on request (``?lang=en``, kept in the session; the API also follows the
``Accept-Language`` header).

The engine's and the service's messages (``engine.messages.Message``) are rendered in the reader's language:
``tr(text)`` in views, the ``tr`` filter in templates, and every ``{{ … }}`` that prints a Message directly
(labels of states and actions, explanations) through Jinja's ``finalize``. ``error_text(exc)`` is an error
as the reader reads it (its ``str()`` stays Vietnamese, for logs)."""

from __future__ import annotations

from flask import Flask, has_request_context, request, session
from flask_babel import Babel, get_locale

from dossiers.language import LANGUAGES, Reader, catalogue, reader
from engine.messages import Message


def select_locale() -> str:
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
        return asked
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(LANGUAGES, default="vi")
    return session.get("lang", "vi")


def current_reader() -> Reader:
    """The reader of this request (Vietnamese outside a request)."""
    if not has_request_context():
        return reader("vi")
    return reader(str(get_locale() or "vi"))


def tr(text) -> str:
    """A Message (or a list of them) in the reader's language; plain text as it is."""
    return current_reader()(text)


def error_text(exc: BaseException) -> str:
    """An error's message in the reader's language."""
    if exc.args and isinstance(exc.args[0], Message):
        return tr(exc.args[0])
    return str(exc)


class FormMessages:
    """WTForms' own messages ("This field is required.", "Not a valid integer value.") in the reader's language.
    WTForms ships no Vietnamese catalogue: ours is ``translations/vi/LC_MESSAGES/wtforms.po`` (``make
    translations``); in English they are WTForms' own texts. Every form gives this to WTForms
    (``webforms.forms.Form``)."""

    def gettext(self, string: str) -> str:
        return catalogue(current_reader().lang, "wtforms").gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return catalogue(current_reader().lang, "wtforms").ngettext(singular, plural, n)


FORM_MESSAGES = FormMessages()


def _finalize(value):
    return tr(value) if isinstance(value, Message) else value


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale)
    app.jinja_env.finalize = _finalize
    app.jinja_env.filters["tr"] = tr

    @app.context_processor
    def _languages():
        return {"languages": LANGUAGES, "current_lang": str(get_locale() or "vi")}
