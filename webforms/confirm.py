"""A confirmation step for decisions taken by one click (submit, return, verify, recognise or reject in batch,
revoke) that works without JavaScript. The page's form carries ``confirm=ask``: posted without
``confirmed=1``, it is answered with a page that asks the question and posts the very same fields again, with
``confirmed=1``. With JavaScript the browser asks first (the button's ``data-confirm``, static/guide.js) and
adds ``confirmed=1``. A form posted without ``confirm=ask`` (a script, like the API) acts at once."""

from __future__ import annotations

from flask import render_template, request

ASK = {"name": "confirm", "value": "ask"}  # the hidden field of a form that asks


def must_ask() -> bool:
    """The form asks for confirmation and has not had it yet."""
    return request.form.get("confirm") == "ask" and request.form.get("confirmed") != "1"


def ask(question: str, button: str, back: str, danger: bool = False):
    """The page that asks ``question`` and posts the same form again when the user answers ``button``."""
    fields = [(k, v) for k, v in request.form.items(multi=True) if k not in ("confirm", "confirmed")]
    return render_template("confirm.html", question=question, button=button, back=back, danger=danger,
                           fields=fields, action=request.path)
