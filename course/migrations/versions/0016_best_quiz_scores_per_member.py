"""each member's best score per factor quiz, kept as attempts are graded (the manager's factor
averages read it instead of every attempt), backfilled from the finished attempts; members by
organisation, removal and team with their user id, for the dashboard's counts and joins;
a member's certificates by course, status and expiry (the dashboard's EXISTS filters)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-26 15:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'course_quiz_best',
        sa.Column('user_id', sa.String(length=64), nullable=False),
        sa.Column('course', sa.String(length=64), nullable=False),
        sa.Column('module', sa.String(length=64), nullable=False),
        sa.Column('percent', sa.Numeric(precision=5, scale=2), nullable=False),
        sa.PrimaryKeyConstraint('user_id', 'course', 'module', name=op.f('pk_course_quiz_best')))
    op.execute("INSERT INTO course_quiz_best (user_id, course, module, percent) "
               "SELECT user_id, course, module, MAX(percent) FROM course_quiz_attempt "
               "WHERE state = 'finished' AND percent IS NOT NULL "
               "GROUP BY user_id, course, module")
    with op.batch_alter_table('course_membership', schema=None) as batch_op:
        batch_op.create_index('ix_course_membership_org_id_removed_at_team_user_id',
                              ['org_id', 'removed_at', 'team', 'user_id'], unique=False)
    with op.batch_alter_table('course_certificate', schema=None) as batch_op:
        batch_op.create_index('ix_course_certificate_user_id_course_status_valid_until',
                              ['user_id', 'course', 'status', 'valid_until'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('course_certificate', schema=None) as batch_op:
        batch_op.drop_index('ix_course_certificate_user_id_course_status_valid_until')
    with op.batch_alter_table('course_membership', schema=None) as batch_op:
        batch_op.drop_index('ix_course_membership_org_id_removed_at_team_user_id')
    op.drop_table('course_quiz_best')
