"""indexes for staff pages at scale: members by organisation and name or team, certificates
by course, status and expiry, learners by last activity

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 12:10:00
"""

from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('course_membership', schema=None) as batch_op:
        batch_op.create_index('ix_course_membership_org_id_name', ['org_id', 'name'],
                              unique=False)
        batch_op.create_index('ix_course_membership_org_id_team', ['org_id', 'team'],
                              unique=False)
    with op.batch_alter_table('course_certificate', schema=None) as batch_op:
        batch_op.create_index('ix_course_certificate_course_status_valid_until',
                              ['course', 'status', 'valid_until'], unique=False)
    with op.batch_alter_table('course_learner', schema=None) as batch_op:
        batch_op.create_index('ix_course_learner_last_seen_at_user_id', ['last_seen_at', 'user_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('course_learner', schema=None) as batch_op:
        batch_op.drop_index('ix_course_learner_last_seen_at_user_id')
    with op.batch_alter_table('course_certificate', schema=None) as batch_op:
        batch_op.drop_index('ix_course_certificate_course_status_valid_until')
    with op.batch_alter_table('course_membership', schema=None) as batch_op:
        batch_op.drop_index('ix_course_membership_org_id_team')
        batch_op.drop_index('ix_course_membership_org_id_name')
