"""``cfc dossier``: create, show, set, appraise and move dossiers through the workflow, as ``--as USERNAME``.

Every command goes through the dossier service, checked exactly like the web pages: role, jurisdiction, state,
guards; ``--expect VERSION`` refuses a change when someone changed the dossier since.
"""

from __future__ import annotations

from pathlib import Path

import click

from engine.messages import N_
from engine.numbers import format_number
from engine.workflow import LABELS

from .common import AS_OPTION, DOSSIER_ID, ROUND, TEXT, nfc, open_service, parse_day, refusals, tr, who_acts
from .render import print_dossier

EXPECT_OPTION = click.option("--expect", "expected", type=int, help="The version you last saw; refuse if it changed.")


@click.group()
def dossier() -> None:
    """Dossiers: create, show, set, appraise and move through the workflow."""


def _pairs(items: tuple[str, ...]) -> dict:
    out = {}
    for item in items:
        if "=" not in item:
            raise click.BadParameter(tr(N_("«%(item)s»: hãy viết MÃ=GIÁ_TRỊ", item=item)), param_hint="VALUES")
        code, value = item.split("=", 1)
        out[code.strip()] = value
    return out


@dossier.command("create")
@click.argument("commune_code")
@click.option("--round", "year", type=ROUND, required=True, help="Assessment round (year).")
@AS_OPTION
@click.option("--json", "as_json", is_flag=True)
def dossier_create(commune_code, year, actor, as_json) -> None:
    """Create the dossier of a commune for a round."""
    with open_service() as service:
        view = service.create(who_acts(actor), commune_code, year)
    print_dossier(view, as_json)


@dossier.command("list")
@click.option("--round", "year", type=ROUND)
@click.option("--status", type=click.Choice(list(LABELS)))
@AS_OPTION
def dossier_list(year, status, actor) -> None:
    """The dossiers in your jurisdiction."""
    with open_service() as service:
        views = service.list(who_acts(actor), year, status)
    for v in views:
        total = format_number(v.score.total if v.score else None)
        click.echo(nfc(f"{v.id:>5}  {v.year}  {v.status:<15} {total:>5}  {v.commune_code}  {v.commune_name}"))


@dossier.command("show")
@click.argument("dossier_id", type=DOSSIER_ID)
@AS_OPTION
@click.option("--json", "as_json", is_flag=True)
def dossier_show(dossier_id, actor, as_json) -> None:
    """A dossier: status, version, scores."""
    with open_service() as service:
        view = service.get(who_acts(actor), dossier_id)
    print_dossier(view, as_json)


@dossier.command("set")
@click.argument("dossier_id", type=DOSSIER_ID)
@click.argument("values", nargs=-1)
@click.option("--file", "file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="An assessment file (YAML/JSON) whose indicators are saved.")
@EXPECT_OPTION
@AS_OPTION
def dossier_set(dossier_id, values, file, expected, actor) -> None:
    """Save self-assessed values: `cfc dossier set 12 TC07.fully_immunised=49 TC01.officer=có`."""
    from engine.assessment import read_assessment_file

    raw = _pairs(values)
    if file:
        with refusals():
            raw = {**read_assessment_file(file).get("indicators", {}), **raw}
    with open_service() as service:
        view = service.set_values(who_acts(actor), dossier_id, raw, expected)
    print_dossier(view, False)


@dossier.command("appraise")
@click.argument("dossier_id", type=DOSSIER_ID)
@click.argument("values", nargs=-1)
@click.option("--comment", "comments", multiple=True, help="CODE=comment (repeatable).")
@EXPECT_OPTION
@AS_OPTION
def dossier_appraise(dossier_id, values, comments, expected, actor) -> None:
    """Record appraised values: `cfc dossier appraise 12 TC07.fully_immunised=48 --comment TC07.fully_immunised=…`."""
    with open_service() as service:
        view = service.appraise(who_acts(actor), dossier_id, _pairs(values), _pairs(comments), expected)
    print_dossier(view, False)


def _transition(event: str, dossier_id: int, actor: str | None, expected: int | None, **details) -> None:
    with open_service() as service:
        view = service.transition(who_acts(actor), dossier_id, event, expected_version=expected, **details)
    print_dossier(view, False)


def _reasoned(event: str, needs_reason: bool, help_text: str) -> click.Command:
    @click.argument("dossier_id", type=DOSSIER_ID)
    @click.option("--reason", type=TEXT, required=needs_reason, help="Why (required for return, reject, revoke).")
    @EXPECT_OPTION
    @AS_OPTION
    def command(dossier_id, reason, expected, actor):
        _transition(event, dossier_id, actor, expected, reason=reason)

    return dossier.command(event, help=help_text)(command)


for _event, _needs_reason, _help in (
    ("submit", False, "Submit a complete dossier (commune)."),
    ("return", True, "Send a dossier back to the commune with a reason."),
    ("reject", True, "Refuse recognition with a reason."),
):
    _reasoned(_event, _needs_reason, _help)


@dossier.command("verify")
@click.argument("dossier_id", type=DOSSIER_ID)
@click.option("--member", "members", type=TEXT, multiple=True, required=True, help="A panel member present (repeatable).")
@EXPECT_OPTION
@AS_OPTION
def dossier_verify(dossier_id, members, expected, actor) -> None:
    """Verify the appraisal (panel chair), recording the members present."""
    _transition("verify", dossier_id, actor, expected, panel_members=list(members))


def _decision_command(event: str, help_text: str) -> click.Command:
    """``recognize`` and ``revoke``: decisions, with their number, date and signer (``revoke`` also a reason)."""

    @click.argument("dossier_id", type=DOSSIER_ID)
    @click.option("--decision", "number", help="Decision number, e.g. 123/QĐ-UBND (required).")
    @click.option("--date", "date", help="Decision date YYYY-MM-DD (required).")
    @click.option("--signer", type=TEXT, help="Who signs the decision (default: the issuer configuration's `signers`).")
    @click.option("--signer-title", type=TEXT, help="The signer's title (default: the issuer configuration's).")
    @click.option("--reason", type=TEXT, required=event == "revoke", help="Why (required for revoke; internal, kept in the "
                                                               "audit trail).")
    @click.option("--public-reason", type=TEXT, hidden=event != "revoke",
                  help="What the public verification page says about the revocation (required for revoke).")
    @EXPECT_OPTION
    @AS_OPTION
    def command(dossier_id, number, date, signer, signer_title, reason, public_reason, expected, actor):
        _transition(event, dossier_id, actor, expected, reason=reason, decision_number=number,
                    decision_date=parse_day(date, "--date"), signer_name=signer, signer_title=signer_title,
                    **({"public_reason": public_reason} if event == "revoke" else {}))

    return dossier.command(event, help=help_text)(command)


_decision_command("recognize", "Recognise a verified dossier (province sign-off) by its decision: number, date "
                               "and signer are required.")
_decision_command("revoke", "Revoke a recognition by a decision (number, date, signer) with a reason.")


@dossier.command("amend-decision")
@click.argument("dossier_id", type=DOSSIER_ID)
@click.option("--decision", "number", required=True, help="Decision number, e.g. 123/QĐ-UBND.")
@click.option("--date", "date", required=True, help="Decision date YYYY-MM-DD.")
@click.option("--reason", type=TEXT, required=True, help="Why the decision is set or corrected.")
@click.option("--signer", type=TEXT, help="Who signed it (default: as stored, else the issuer configuration's `signers`).")
@click.option("--signer-title", type=TEXT, help="The signer's title (default: as stored, else the issuer configuration's).")
@EXPECT_OPTION
@AS_OPTION
def dossier_amend_decision(dossier_id, number, date, reason, signer, signer_title, expected, actor) -> None:
    """Set or correct the decision of a recognised dossier (e.g. one recognised without it), audited."""
    day = parse_day(date, "--date")
    with open_service() as service:
        view = service.amend_decision(who_acts(actor), dossier_id, number, day, reason, expected, signer,
                                      signer_title)
    print_dossier(view, False)


@dossier.command("rescore")
@click.argument("dossier_id", type=DOSSIER_ID, required=False)
@click.option("--round", "year", type=ROUND, help="Re-score every dossier of this round scored under older criteria.")
@EXPECT_OPTION
@AS_OPTION
def dossier_rescore(dossier_id, year, expected, actor) -> None:
    """Score again under the criteria content of today: one dossier, or `--round YEAR` (old → new totals)."""
    from dossiers.service.rescore import rescore_all, stale_dossiers

    from .common import progress

    if (dossier_id is None) == (year is None):
        raise click.UsageError(tr(N_("hãy cho biết DOSSIER_ID hoặc --round NĂM")))
    with open_service() as service:
        username = who_acts(actor)
        if dossier_id is not None:
            print_dossier(service.rescore(username, dossier_id, expected), False)
            return
        candidates = stale_dossiers(service, username, year)
        with progress(tr(N_("tính lại")), len(candidates)) as bar:
            done, refused = rescore_all(service, username, candidates, bar.update)
    for item in done:
        for which, after in item.after.items():
            before = item.before.get(which) or {}
            verdict = "" if before.get("recognized") == after["recognized"] else \
                (tr(N_(" → đủ điều kiện")) if after["recognized"] else tr(N_(" → không còn đủ điều kiện")))
            held = tr(N_(" (quyết định công nhận giữ nguyên)")) if item.status == "recognized" and verdict else ""
            click.echo(nfc(f"#{item.dossier_id} {item.commune} [{tr(LABELS[item.status])}] {tr(_LABEL[which])}: "
                           f"{format_number(before.get('total'))} → {format_number(after['total'])}{verdict}{held}"))
    for line in refused:
        click.echo(tr(N_("không tính lại: %(why)s", why=line)), err=True)
    flips = sum(1 for i in done for w, a in i.after.items() if (i.before.get(w) or {}).get("recognized") != a["recognized"])
    click.echo(tr(N_("Năm %(year)s: tính lại %(done)s hồ sơ (%(changed)s đổi tổng điểm, %(flips)s đổi kết luận), "
                     "%(refused)s không tính lại được.", year=str(year), done=len(done),
                     changed=sum(i.changed for i in done), flips=flips, refused=len(refused))))
    if refused:
        raise SystemExit(1)


_LABEL = {"self_score": N_("tự đánh giá"), "verified_score": N_("thẩm định"), "rescored_score": N_("tính lại")}
