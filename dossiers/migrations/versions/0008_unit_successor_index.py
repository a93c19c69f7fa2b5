"""unit successor index: the units merged into a unit are found by an index (``dossiers.units.within``, which
narrows lists, exports and the dashboard's counts to a jurisdiction in the database)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 17:00:00

Without it SQLite built a temporary index over every unit for each list it answered.
"""

from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_successor_id'), ['successor_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_successor_id'))
