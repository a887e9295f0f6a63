"""practice answers

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 11:25:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('course_practice_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('course', sa.String(length=64), nullable=False),
    sa.Column('module', sa.String(length=64), nullable=False),
    sa.Column('lesson', sa.String(length=100), nullable=False),
    sa.Column('question', sa.String(length=200), nullable=False),
    sa.Column('bank', sa.Boolean(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_practice_answer'))
    )
    with op.batch_alter_table('course_practice_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_practice_answer_user_id'), ['user_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('course_practice_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_practice_answer_user_id'))

    op.drop_table('course_practice_answer')
