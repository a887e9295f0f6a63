"""certificates

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 03:02:52.029546
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('course_certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('course', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('course_title', sa.String(length=200), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('template', sa.String(length=64), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('superseded_by', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_certificate')),
    sa.UniqueConstraint('code', name=op.f('uq_course_certificate_code')),
    sa.UniqueConstraint('user_id', 'course', 'version', name=op.f('uq_course_certificate_user_id_course_version'))
    )
    with op.batch_alter_table('course_certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_certificate_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_certificate_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('course_certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_certificate_user_id'))
        batch_op.drop_index(batch_op.f('ix_course_certificate_sha256'))

    op.drop_table('course_certificate')
