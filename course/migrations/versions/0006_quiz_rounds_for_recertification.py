"""quiz rounds for recertification

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 03:37:30.101862
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('course_quiz_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('course', sa.String(length=64), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_quiz_round'))
    )
    with op.batch_alter_table('course_quiz_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_quiz_round_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('course_quiz_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_quiz_round_user_id'))

    op.drop_table('course_quiz_round')
