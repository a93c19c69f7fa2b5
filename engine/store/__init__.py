"""Storage: SQLAlchemy models, Alembic migrations, the dossier service (transactions, locking, audit)."""
