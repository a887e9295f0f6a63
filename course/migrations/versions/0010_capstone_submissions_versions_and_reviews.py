"""capstone submissions, versions and reviews

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 11:24:28.193387
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('course_capstone_submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('course', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('learner_name', sa.String(length=200), nullable=False),
    sa.Column('learner_email', sa.String(length=254), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('passed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_capstone_submission')),
    sa.UniqueConstraint('user_id', 'course', name=op.f('uq_course_capstone_submission_user_id_course'))
    )
    with op.batch_alter_table('course_capstone_submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_capstone_submission_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_capstone_submission_user_id'), ['user_id'], unique=False)

    op.create_table('course_capstone_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('attachment', sa.String(length=64), nullable=True),
    sa.Column('attachment_type', sa.String(length=10), nullable=True),
    sa.Column('attachment_size', sa.Integer(), nullable=True),
    sa.Column('rubric', sa.JSON(), nullable=True),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['submission_id'], ['course_capstone_submission.id'], name=op.f('fk_course_capstone_version_submission_id_course_capstone_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_capstone_version')),
    sa.UniqueConstraint('submission_id', 'number', name=op.f('uq_course_capstone_version_submission_id_number'))
    )
    with op.batch_alter_table('course_capstone_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_capstone_version_submission_id'), ['submission_id'], unique=False)

    op.create_table('course_capstone_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.String(length=64), nullable=False),
    sa.Column('reviewer_name', sa.String(length=200), nullable=False),
    sa.Column('reviewed_for', sa.String(length=200), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('max_total', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['course_capstone_version.id'], name=op.f('fk_course_capstone_review_version_id_course_capstone_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_capstone_review')),
    sa.UniqueConstraint('version_id', name=op.f('uq_course_capstone_review_version_id'))
    )
    with op.batch_alter_table('course_capstone_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_capstone_review_reviewer_id'), ['reviewer_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('course_capstone_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_capstone_review_reviewer_id'))

    op.drop_table('course_capstone_review')
    with op.batch_alter_table('course_capstone_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_capstone_version_submission_id'))

    op.drop_table('course_capstone_version')
    with op.batch_alter_table('course_capstone_submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_capstone_submission_user_id'))
        batch_op.drop_index(batch_op.f('ix_course_capstone_submission_status'))

    op.drop_table('course_capstone_submission')
