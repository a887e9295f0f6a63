"""log-ins in a host application (when each user last logged in through the host's
Flask-Login), for the administrators' Users page

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-26 15:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('course_host_login',
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_course_host_login'))
    )


def downgrade() -> None:
    op.drop_table('course_host_login')
