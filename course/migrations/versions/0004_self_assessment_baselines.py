"""self-assessment baselines

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 02:33:59.443746
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('course_self_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('course', sa.String(length=64), nullable=False),
    sa.Column('module', sa.String(length=64), nullable=False),
    sa.Column('percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_self_assessment')),
    sa.UniqueConstraint('user_id', 'course', 'module', name=op.f('uq_course_self_assessment_user_id_course_module'))
    )
    with op.batch_alter_table('course_self_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_self_assessment_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('course_self_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_self_assessment_user_id'))

    op.drop_table('course_self_assessment')
