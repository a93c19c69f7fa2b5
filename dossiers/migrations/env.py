"""Alembic environment: the database is the connection or URL that ``dossiers.migrate`` passes (the
settings' ``database_url``); the target schema is ``dossiers.models``, every table included."""

from alembic import context

from dossiers.db import make_engine
from dossiers.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.attributes.get("url"))
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported: run `cfc db upgrade`")
run_migrations_online()
