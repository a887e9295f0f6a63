"""members removed softly: a removal keeps the membership (and the person's records) with the
time it happened, so the manager can undo it for a while

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 12:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('course_membership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('course_membership', schema=None) as batch_op:
        batch_op.drop_column('removed_at')
