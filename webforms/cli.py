"""The ``cfc`` command as installed: the engine's commands plus those that need the web layer (serve)."""

from __future__ import annotations

import click

from engine.cli import main


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
def serve(host: str, port: int, threads: int) -> None:
    """Serve the web app with waitress (a production WSGI server)."""
    from waitress import serve as waitress_serve

    from . import create_app

    app = create_app()
    click.echo(f"serving on http://{host}:{port}  (Ctrl+C to stop)")
    waitress_serve(app, host=host, port=port, threads=threads, ident="cfc")


from .cli_certificates import register as _register_certificates  # noqa: E402

_register_certificates(main)

__all__ = ["main"]
