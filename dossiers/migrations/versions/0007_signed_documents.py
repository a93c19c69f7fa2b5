"""signed documents: each signed document issued, recorded per dossier and kind with the SHA-256 of its file and
of the unsigned document it signs

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 14:30:00

Signed files stay where they are (``signed/<SHA-256 of the unsigned PDF>.pdf`` in the instance folder); a row
says which file is the document issued, so that a later change of the base URL (the QR code), a template or a
font does not lose it. Files signed before this revision have no row: they are still found the old way (by a
fresh render), and ``cfc signing issue DOSSIER`` records them while the render still matches them.
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('signed_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('serial', sa.String(length=40), nullable=True),
    sa.Column('document_key', sa.String(length=64), nullable=False),
    sa.Column('unsigned_sha256', sa.String(length=64), nullable=False),
    sa.Column('signed_sha256', sa.String(length=64), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('issued_at', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'document_key', name='uq_signed_document_kind_key')
    )
    with op.batch_alter_table('signed_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signed_documents_dossier_id'), ['dossier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_signed_documents_signed_sha256'), ['signed_sha256'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('signed_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signed_documents_signed_sha256'))
        batch_op.drop_index(batch_op.f('ix_signed_documents_dossier_id'))

    op.drop_table('signed_documents')
