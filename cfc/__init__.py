"""The ``cfc`` command: one click group with a subgroup per area, each loaded only when it is used.

Exit codes: 0 done, 1 refused or invalid input (every problem printed to stderr), 2 usage error. Every command
takes the deployment's ``Settings`` (``dossiers.config``: the environment and the instance folder) from the
group's context; commands that change or reveal dossier data act as ``--as USERNAME`` (or ``CFC_USER``).
"""

from __future__ import annotations

import importlib

import click

# command name → "module:attribute", in the order ``cfc --help`` lists them
COMMANDS = {
    "audit": "cfc.audit:audit",
    "certificates": "cfc.certificates:certificates",
    "criteria": "cfc.criteria:criteria",
    "db": "cfc.admin:db",
    "demo": "cfc.admin:demo",
    "dossier": "cfc.dossier:dossier",
    "export": "cfc.bulk:export",
    "import": "cfc.bulk:import_group",
    "report": "cfc.bulk:report",
    "score": "cfc.scoring:score",
    "serve": "cfc.serve:serve",
    "signing": "cfc.signing:signing",
    "template": "cfc.scoring:template",
    "units": "cfc.admin:units",
    "users": "cfc.admin:users",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use (``cfc --help`` imports them for their help)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, _, attribute = target.partition(":")
        return getattr(importlib.import_module(module), attribute)


@click.group(cls=LazyGroup)
@click.version_option(package_name="child-friendly-communes")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              help="Language of messages (Vietnamese; English from translations/).")
@click.pass_context
def main(ctx: click.Context, lang: str) -> None:
    """Đánh giá, công nhận xã, phường, thị trấn phù hợp với trẻ em (QĐ 06/QĐ-TTg)."""
    ctx.meta["cfc.lang"] = lang


__all__ = ["main"]
