"""public revocation reason: what the public verification page says about a revocation (the reason given with
the revoke event stays internal, in the audit trail)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 09:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revocation_public_reason', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_column('revocation_public_reason')
