"""decisions and submissions: the signer and the revocation decision of a dossier; the submission an
appraised value belongs to

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 08:40:00

A return sends a dossier back to the commune; its appraisal belongs to the submission it was made for. Each
submit increments ``dossiers.submission``; an appraised value counts only when ``indicator_values.appraised_in``
equals it. Existing data: a dossier's submission is the number of its ``transition.submit`` audit entries (at
least 1 past draft, for imported dossiers); appraised values of verified and later dossiers belong to it; those
of a submitted dossier only when an appraiser saved them after its latest submit; those of drafts (returned
before this revision) to none: they stay stored for the record but no longer count.
"""

import json

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
    # verified and later: the appraisal that was verified is the latest submission's
    op.execute(
        "UPDATE indicator_values SET appraised_in = (SELECT submission FROM dossiers "
        "WHERE dossiers.id = indicator_values.dossier_id) "
        "WHERE appraised_value IS NOT NULL AND dossier_id IN "
        "(SELECT id FROM dossiers WHERE status NOT IN ('draft', 'submitted'))"
    )
    _submitted_appraisals()


def _submitted_appraisals() -> None:
    """A submitted dossier may have been returned and resubmitted before this revision, keeping the old
    appraisal: only the values an appraiser saved after its latest submit (the codes of its ``values.appraise``
    audit entries since then) belong to the current submission."""
    bind = op.get_bind()
    dossiers = bind.execute(sa.text("SELECT id, submission FROM dossiers WHERE status = 'submitted'")).all()
    for dossier_id, submission in dossiers:
        last_submit = bind.execute(sa.text(
            "SELECT coalesce(max(seq), 0) FROM audit_entries WHERE dossier_id = :d AND action = 'transition.submit'"
        ), {"d": dossier_id}).scalar()
        codes: set[str] = set()
        for (after,) in bind.execute(sa.text(
            "SELECT \"after\" FROM audit_entries WHERE dossier_id = :d AND action = 'values.appraise' AND seq > :s"
        ), {"d": dossier_id, "s": last_submit}):
            changed = json.loads(after or "null") or {}
            codes.update(code for code in changed if "#" not in code)
        for code in codes:
            bind.execute(sa.text(
                "UPDATE indicator_values SET appraised_in = :n "
                "WHERE dossier_id = :d AND code = :c AND appraised_value IS NOT NULL"
            ), {"n": submission, "d": dossier_id, "c": code})


def downgrade() -> None:
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.drop_column('appraised_in')
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        for column in ('revocation_signer_title', 'revocation_signer', 'revocation_date', 'revocation_number',
                       'decision_signer_title', 'decision_signer', 'submission'):
            batch_op.drop_column(column)
