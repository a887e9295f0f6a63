"""certificates of closed accounts

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 04:09:11.212422
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('course_certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holder_closed', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('course_certificate', schema=None) as batch_op:
        batch_op.drop_column('holder_closed')

