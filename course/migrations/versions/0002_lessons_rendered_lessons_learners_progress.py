"""lessons: rendered lessons, learners, progress

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 01:39:57.331849
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('course_learner',
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_course_learner'))
    )
    op.create_table('course_lesson_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('course', sa.String(length=64), nullable=False),
    sa.Column('module', sa.String(length=64), nullable=False),
    sa.Column('lesson', sa.String(length=100), nullable=False),
    sa.Column('first_viewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_viewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('viewed_version', sa.String(length=64), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_version', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_lesson_progress')),
    sa.UniqueConstraint('user_id', 'course', 'lesson', name=op.f('uq_course_lesson_progress_user_id_course_lesson'))
    )
    with op.batch_alter_table('course_lesson_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_lesson_progress_user_id'), ['user_id'], unique=False)

    op.create_table('course_rendered_lesson',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('toc', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_course_rendered_lesson'))
    )


def downgrade() -> None:
    op.drop_table('course_rendered_lesson')
    with op.batch_alter_table('course_lesson_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_lesson_progress_user_id'))

    op.drop_table('course_lesson_progress')
    op.drop_table('course_learner')
