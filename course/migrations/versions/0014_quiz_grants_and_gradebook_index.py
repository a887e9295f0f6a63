"""quiz grants (a trainer's extra attempt or reset, with who, when and why) and learners by
name for the gradebook

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('course_quiz_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('course', sa.String(length=64), nullable=False),
    sa.Column('module', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('granted_by', sa.String(length=64), nullable=False),
    sa.Column('granted_by_name', sa.String(length=200), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_quiz_grant'))
    )
    with op.batch_alter_table('course_quiz_grant', schema=None) as batch_op:
        batch_op.create_index('ix_course_quiz_grant_user_id_course_module',
                              ['user_id', 'course', 'module'], unique=False)
    with op.batch_alter_table('course_learner', schema=None) as batch_op:
        batch_op.create_index('ix_course_learner_display_name_user_id',
                              ['display_name', 'user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('course_learner', schema=None) as batch_op:
        batch_op.drop_index('ix_course_learner_display_name_user_id')
    with op.batch_alter_table('course_quiz_grant', schema=None) as batch_op:
        batch_op.drop_index('ix_course_quiz_grant_user_id_course_module')
    op.drop_table('course_quiz_grant')
