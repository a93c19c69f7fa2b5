"""``cfc audit``: check the hash chain, show a dossier's changes."""

from __future__ import annotations

import sys

import click

from engine.messages import N_

from .common import AS_OPTION, DOSSIER_ID, nfc, open_service, say, tr, who_acts


@click.group("audit")
def audit() -> None:
    """The audit trail."""


@audit.command("verify")
def audit_verify() -> None:
    """Check the hash chain; name the first broken entry (exit 1)."""
    from dossiers.audit import verify_chain

    with open_service() as service, service.transaction(readonly=True) as s:
        report = verify_chain(s)
    say(report.message)
    if not report.ok:
        sys.exit(1)


@audit.command("show")
@click.argument("dossier_id", type=DOSSIER_ID)
@AS_OPTION
def audit_show(dossier_id, actor) -> None:
    """Every change of a dossier: who, when, what, before/after, why."""
    with open_service() as service:
        entries = service.history(who_acts(actor), dossier_id)
    for e in entries:
        reason = tr(N_(" — lý do: %(reason)s", reason=e["reason"])) if e["reason"] else ""
        click.echo(nfc(f"#{e['seq']:<5} {e['at'][:19].replace('T', ' ')}  {e['actor']:<16} {e['action']:<20} "
                       f"{e['target']}  {e['before']} → {e['after']}{reason}"))
