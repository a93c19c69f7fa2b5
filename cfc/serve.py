"""``cfc serve``: the web app under gunicorn, one worker process per CPU."""

from __future__ import annotations

import os

import click

from .common import settings


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=os.cpu_count() or 2, show_default="one per CPU", type=int,
              help="Worker processes (Python runs one request at a time per process).")
@click.option("--threads", default=4, show_default=True, type=int, help="Threads per worker.")
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the web app with gunicorn (a production WSGI server): one worker process per CPU."""
    from gunicorn.app.base import BaseApplication

    from webforms import create_app

    current = settings()

    class Server(BaseApplication):
        def load_config(self):
            for key, value in {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                               "worker_class": "gthread", "accesslog": None, "errorlog": "-",
                               "loglevel": "warning", "timeout": 60, "graceful_timeout": 10}.items():
                self.cfg.set(key, value)

        def load(self):
            return create_app(current)

    click.echo(f"serving on http://{host}:{port}  ({workers} workers × {threads} threads; Ctrl+C to stop)")
    Server().run()
