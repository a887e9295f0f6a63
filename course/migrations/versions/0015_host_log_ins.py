"""the people a host application's users are to the plugin (name, address, when they last
logged in through the host's Flask-Login), for the administrators' Users page; filled from
the learners and organisation members known so far

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
    op.create_table('course_known_user',
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_course_known_user'))
    )
    with op.batch_alter_table('course_known_user', schema=None) as batch_op:
        batch_op.create_index('ix_course_known_user_display_name_user_id',
                              ['display_name', 'user_id'], unique=False)
    op.execute("INSERT INTO course_known_user (user_id, display_name, email) "
               "SELECT user_id, display_name, email FROM course_learner")
    op.execute("INSERT INTO course_known_user (user_id, display_name, email) "
               "SELECT user_id, name, email FROM course_membership m WHERE NOT EXISTS "
               "(SELECT 1 FROM course_known_user k WHERE k.user_id = m.user_id)")


def downgrade() -> None:
    with op.batch_alter_table('course_known_user', schema=None) as batch_op:
        batch_op.drop_index('ix_course_known_user_display_name_user_id')
    op.drop_table('course_known_user')
