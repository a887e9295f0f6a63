"""administrators' pages by index at any size: the certificate list (every certificate newest
first by (issued_at, id); the ones in force that expire soonest first by (status, valid_until,
id), whatever the course), an organisation's member addresses in order (org_id, email), to
offer as managers, the managers of one organisation or of all (role, org_id, name), without
reading every member, and an organisation's open invitations soonest to expire first (a partial
index), a page at a time

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-27 04:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

OPEN = sa.text("accepted_at IS NULL AND revoked_at IS NULL")


def upgrade() -> None:
    op.create_index('ix_course_certificate_issued_at_id', 'course_certificate',
                    ['issued_at', 'id'])
    op.create_index('ix_course_certificate_status_valid_until_id', 'course_certificate',
                    ['status', 'valid_until', 'id'])
    op.create_index('ix_course_membership_org_id_email', 'course_membership',
                    ['org_id', 'email'])
    op.create_index('ix_course_membership_role_org_id_name', 'course_membership',
                    ['role', 'org_id', 'name'])
    op.create_index('ix_course_invitation_open', 'course_invitation',
                    ['org_id', 'expires_at', 'id'], sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade() -> None:
    op.drop_index('ix_course_invitation_open', table_name='course_invitation')
    op.drop_index('ix_course_membership_role_org_id_name', table_name='course_membership')
    op.drop_index('ix_course_membership_org_id_email', table_name='course_membership')
    op.drop_index('ix_course_certificate_status_valid_until_id',
                  table_name='course_certificate')
    op.drop_index('ix_course_certificate_issued_at_id', table_name='course_certificate')
