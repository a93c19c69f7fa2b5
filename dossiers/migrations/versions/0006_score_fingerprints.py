"""score fingerprints: the score a re-score computes for a decided dossier (recognised, not recognised,
revoked), kept beside the score its decision was taken on

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 11:30:00

Every stored score already carries the fingerprint of the criteria content it was computed from (score JSON,
schema version 2); this revision adds the column where a re-score of a decided dossier records its result,
so that the decision's own score, its certificate and its minutes stay as they were. Existing rows: null.
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rescored_score', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_column('rescored_score')
