"""the administrators' certificate list pages by index: every certificate newest first
(issued_at, id), and the ones in force that expire soonest first (status, valid_until, id),
whatever the course

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-27 04:10:00
"""

from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_course_certificate_issued_at_id', 'course_certificate',
                    ['issued_at', 'id'])
    op.create_index('ix_course_certificate_status_valid_until_id', 'course_certificate',
                    ['status', 'valid_until', 'id'])


def downgrade() -> None:
    op.drop_index('ix_course_certificate_status_valid_until_id',
                  table_name='course_certificate')
    op.drop_index('ix_course_certificate_issued_at_id', table_name='course_certificate')
