"""Rules admin: see criteria versions, what is still unverified, compare two versions, publish."""

from __future__ import annotations

import difflib

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.checks import unverified
from engine.edit import publish
from engine.loader import Registry

from ..auth import require_role
from ..db import service
from ..forms import PlainForm

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


def _reload() -> Registry:
    """Read the criteria files again (an admin may have just edited them) and hand them to the service."""
    registry = Registry.load()
    service().registry = registry
    return registry


@bp.route("/")
def index():
    require_role("rules_admin")
    registry = _reload()
    versions = sorted(registry.versions.values(), key=lambda v: v.effective_from)
    return render_template("admin/index.html", versions=versions, unverified=unverified,
                           ids=[v.id for v in versions])


@bp.route("/criteria/<version_id>")
def version(version_id: str):
    require_role("rules_admin")
    registry = _reload()
    v = registry.get(version_id)
    return render_template("admin/version.html", v=v, missing=unverified(v), form=PlainForm())


@bp.route("/criteria/<version_id>/publish", methods=["POST"])
def publish_version(version_id: str):
    actor = require_role("rules_admin")
    if PlainForm().validate_on_submit():
        registry = _reload()
        changes = _recognised_changes(registry.get(version_id))
        if changes and request.form.get("confirm") != "1":  # list them and ask first
            v = registry.get(version_id)
            return render_template("admin/version.html", v=v, missing=[], form=PlainForm(), changes=changes)
        message = publish(registry.files[registry.get(version_id).id], by=actor.username)
        service().record(actor.username, "criteria.publish", version_id, before="provisional", after="official")
        flash(message, "ok")
        _reload()
    return redirect(url_for("admin.version", version_id=version_id))


def _recognised_changes(v):
    """The recognised dossiers whose eligibility publishing ``v`` changes (none when it cannot be published)."""
    from dossiers.impact_publish import recognised_changes

    return [] if unverified(v) else recognised_changes(service(), v)


@bp.route("/diff")
def diff():
    require_role("rules_admin")
    registry = _reload()
    ids = sorted(registry.versions)
    left = request.args.get("a") or ids[0]
    right = request.args.get("b") or ids[-1]
    a, b = registry.get(left), registry.get(right)
    texts = [registry.files[x.id].read_text(encoding="utf-8").splitlines() for x in (a, b)]
    table = difflib.HtmlDiff(wrapcolumn=70).make_table(texts[0], texts[1], a.id, b.id, context=left != right,
                                                       numlines=3)
    return render_template("admin/diff.html", table=table, ids=ids, left=left, right=right,
                           same=_("Hai phiên bản giống hệt nhau.") if texts[0] == texts[1] else None)
