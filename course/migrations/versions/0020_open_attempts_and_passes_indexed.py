"""the learners' open quiz attempts and their passes in two partial indexes (only the rows still
in progress; only the passed ones), so that a quiz start finds them without reading a learner's
other attempts

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-27 01:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

OPEN = sa.text("state = 'in_progress'")
PASSED = sa.text("passed = true")


def upgrade() -> None:
    op.create_index('ix_course_quiz_attempt_open', 'course_quiz_attempt',
                    ['user_id', 'course', 'module'], sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_index('ix_course_quiz_attempt_passed', 'course_quiz_attempt',
                    ['user_id', 'course', 'module', 'number'], sqlite_where=PASSED,
                    postgresql_where=PASSED)


def downgrade() -> None:
    op.drop_index('ix_course_quiz_attempt_passed', table_name='course_quiz_attempt')
    op.drop_index('ix_course_quiz_attempt_open', table_name='course_quiz_attempt')
