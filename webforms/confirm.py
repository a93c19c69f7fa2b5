"""A confirmation step for decisions taken by one click (submit, return, verify, recognise or reject in batch,
revoke), that works without JavaScript: a form posted without ``confirmed=1`` is answered with a page that
asks the question and posts the very same fields again, with ``confirmed=1``. With JavaScript, the button's
``data-confirm`` question is asked by the browser first (static/guide.js) and the form carries ``confirmed=1``."""

from __future__ import annotations

from flask import render_template, request


def confirmed() -> bool:
    return request.form.get("confirmed") == "1"


def ask(question: str, button: str, back: str, danger: bool = False):
    """The page that asks ``question`` and posts the same form again when the user answers ``button``."""
    fields = [(k, v) for k, v in request.form.items(multi=True) if k != "confirmed"]
    return render_template("confirm.html", question=question, button=button, back=back, danger=danger,
                           fields=fields, action=request.path)
