"""self-assessment at the start and at the end: a stage per rating, "don't know" answers (the
figure may be empty and says how many statements it rests on)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 12:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('course_self_assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage', sa.String(length=10), server_default='start',
                                      nullable=False))
        batch_op.add_column(sa.Column('rated', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('statements', sa.Integer(), nullable=True))
        batch_op.alter_column('percent', existing_type=sa.Numeric(precision=5, scale=2),
                              nullable=True)
        batch_op.drop_constraint('uq_course_self_assessment_user_id_course_module',
                                 type_='unique')
        batch_op.create_unique_constraint(
            'uq_course_self_assessment_user_id_course_module_stage',
            ['user_id', 'course', 'module', 'stage'])


def downgrade() -> None:
    op.execute("DELETE FROM course_self_assessment WHERE stage <> 'start' OR percent IS NULL")
    with op.batch_alter_table('course_self_assessment', schema=None) as batch_op:
        batch_op.drop_constraint('uq_course_self_assessment_user_id_course_module_stage',
                                 type_='unique')
        batch_op.create_unique_constraint('uq_course_self_assessment_user_id_course_module',
                                          ['user_id', 'course', 'module'])
        batch_op.alter_column('percent', existing_type=sa.Numeric(precision=5, scale=2),
                              nullable=False)
        batch_op.drop_column('statements')
        batch_op.drop_column('rated')
        batch_op.drop_column('stage')
