"""accounts: users and password resets

Revision ID: 0001
Revises:
Create Date: 2026-11-26 01:18:35.976256
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('course_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_user')),
    sa.UniqueConstraint('email', name=op.f('uq_course_user_email'))
    )
    op.create_table('course_password_reset',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['course_user.id'],
                            name=op.f('fk_course_password_reset_user_id_course_user'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_password_reset')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_course_password_reset_token_hash'))
    )
    with op.batch_alter_table('course_password_reset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_password_reset_user_id'), ['user_id'],
                              unique=False)



def downgrade() -> None:
    with op.batch_alter_table('course_password_reset', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_password_reset_user_id'))

    op.drop_table('course_password_reset')
    op.drop_table('course_user')
