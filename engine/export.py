"""Plain data views of a criteria version, for JSON output (CLI, API) and forms."""

from __future__ import annotations

from decimal import Decimal

from .models import CriteriaVersion


def _numbers(node):
    """Decimals → int or float, recursively (JSON has no decimals)."""
    if isinstance(node, dict):
        return {k: _numbers(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_numbers(v) for v in node]
    if isinstance(node, Decimal):
        return int(node) if node == node.to_integral_value() else float(node)
    return node


def version_json(version: CriteriaVersion) -> dict:
    """The JSON form of ``cfc criteria show ID --json``."""
    return {
        "id": version.id,
        "title": version.title,
        "status": version.status,
        "provisional": version.provisional,
        "effective_from": version.effective_from.isoformat(),
        "effective_to": version.effective_to.isoformat() if version.effective_to else None,
        "max_total": version.max_total.points,
        "categories": [{"id": c.id, "label": c.label, "threshold": c.threshold} for c in version.categories],
        "criteria": [
            {
                "code": c.code,
                "title": c.title,
                "legal_reference": c.legal_reference,
                "max_points": c.max_points,
                "met_at": c.met_at,
                "components": [_numbers(k.model_dump(mode="python")) for k in c.components],
            }
            for c in version.criteria
        ],
        "indicators": [
            {"code": i.code, "label": i.label, "criterion": c.code, "type": i.type} for c, i in version.indicators()
        ],
    }
