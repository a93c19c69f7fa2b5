"""decisions and submissions: the signer and the revocation decision of a dossier; the submission an
appraised value belongs to

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 08:40:00

A return sends a dossier back to the commune; its appraisal belongs to the submission it was made for. Each
submit increments ``dossiers.submission``; an appraised value counts only when ``indicator_values.appraised_in``
equals it. Existing data: a dossier's submission is the number of its ``transition.submit`` audit entries (at
least 1 past draft, for imported dossiers); appraised values of dossiers past draft belong to it, those of
drafts (returned before this revision) to none: they stay stored for the record but no longer count.
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('decision_signer', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('decision_signer_title', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('revocation_number', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('revocation_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('revocation_signer', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('revocation_signer_title', sa.String(length=200), nullable=True))
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.add_column(sa.Column('appraised_in', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE dossiers SET submission = (SELECT count(*) FROM audit_entries "
        "WHERE audit_entries.dossier_id = dossiers.id AND audit_entries.action = 'transition.submit')"
    )
    op.execute("UPDATE dossiers SET submission = 1 WHERE submission = 0 AND status <> 'draft'")
    op.execute(
        "UPDATE indicator_values SET appraised_in = (SELECT submission FROM dossiers "
        "WHERE dossiers.id = indicator_values.dossier_id) "
        "WHERE appraised_value IS NOT NULL AND dossier_id IN (SELECT id FROM dossiers WHERE status <> 'draft')"
    )


def downgrade() -> None:
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.drop_column('appraised_in')
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        for column in ('revocation_signer_title', 'revocation_signer', 'revocation_date', 'revocation_number',
                       'decision_signer_title', 'decision_signer', 'submission'):
            batch_op.drop_column(column)
