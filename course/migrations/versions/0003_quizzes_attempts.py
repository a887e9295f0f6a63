"""quizzes: attempts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 02:09:23.174270
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('course_quiz_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('course', sa.String(length=64), nullable=False),
    sa.Column('module', sa.String(length=64), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('quiz_version', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('shown', sa.JSON(), nullable=False),
    sa.Column('responses', sa.JSON(), nullable=False),
    sa.Column('pass_mark', sa.Integer(), nullable=False),
    sa.Column('percent', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('marks', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_quiz_attempt')),
    sa.UniqueConstraint('user_id', 'course', 'module', 'number', name=op.f('uq_course_quiz_attempt_user_id_course_module_number'))
    )
    with op.batch_alter_table('course_quiz_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_quiz_attempt_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('course_quiz_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_quiz_attempt_user_id'))

    op.drop_table('course_quiz_attempt')
