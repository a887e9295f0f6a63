"""the learners yet to start each quiz: for every quiz someone has attempted (its course and
module, listed once), the people who opened a lesson of its course and have no attempt at it;
kept by triggers in the transaction of every write to lesson progress or attempts, so that the
gradebook's "not started" lists them instead of walking every learner; filled from the rows
already there

Row triggers on SQLite; on PostgreSQL statement triggers with transition tables for inserts and
deletes, a row trigger for an update of a key column; each brings the people and quizzes touched
in or out of the list from their current rows.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-26 19:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

PENDING = "course_quiz_pending"
QUIZZES = "course_quiz_attempted"
OPENED = ("EXISTS (SELECT 1 FROM course_lesson_progress p WHERE p.user_id = {0}.user_id "
          "AND p.course = {0}.course)")
ATTEMPTED = ("EXISTS (SELECT 1 FROM course_quiz_attempt a WHERE a.user_id = {0}.user_id "
             "AND a.course = {0}.course AND a.module = {0}.module)")
LISTED = (f"EXISTS (SELECT 1 FROM {QUIZZES} q WHERE q.course = {{0}}.course "
          f"AND q.module = {{0}}.module)")


def _attempts(keys: str) -> list[str]:
    """After attempts of `keys` (user_id, course, module) were written: a quiz attempted for the
    first time is listed with everyone yet to start it; then each key in or out of the list."""
    quizzes = f"SELECT DISTINCT k.course, k.module FROM ({keys}) k"
    return [
        # a set difference, not an anti-join: no plan can make it one scan per row
        f"INSERT INTO {PENDING} (user_id, course, module) SELECT x.user_id, x.course, x.module "
        f"FROM (SELECT p.user_id, n.course, n.module FROM ({quizzes}) n "
        f"JOIN course_lesson_progress p ON p.course = n.course WHERE NOT {LISTED.format('n')} "
        f"EXCEPT SELECT a.user_id, a.course, a.module FROM ({quizzes}) n "
        f"JOIN course_quiz_attempt a ON a.course = n.course AND a.module = n.module "
        f"WHERE NOT {LISTED.format('n')}) x "
        f"WHERE 1 = 1 ON CONFLICT (user_id, course, module) DO NOTHING",
        f"INSERT INTO {QUIZZES} (course, module) SELECT n.course, n.module FROM ({quizzes}) n "
        f"WHERE 1 = 1 ON CONFLICT (course, module) DO NOTHING",
        *_refresh(keys)]


def _refresh(keys: str) -> list[str]:
    """Bring each (user_id, course, module) of `keys` in or out of the list."""
    wanted = (f"{OPENED.format('{0}')} AND {LISTED.format('{0}')} "
              f"AND NOT {ATTEMPTED.format('{0}')}")
    return [
        f"DELETE FROM {PENDING} WHERE (user_id, course, module) IN (SELECT k.user_id, "
        f"k.course, k.module FROM ({keys}) k) AND NOT ({wanted.format(PENDING)})",
        f"INSERT INTO {PENDING} (user_id, course, module) SELECT DISTINCT k.user_id, k.course, "
        f"k.module FROM ({keys}) k WHERE {wanted.format('k')} "
        f"ON CONFLICT (user_id, course, module) DO NOTHING"]


def _progress(people: str) -> list[str]:
    """After lesson progress of `people` (user_id, course) was written: their keys for every
    listed quiz of the course, in or out of the list."""
    return _refresh(f"SELECT DISTINCT x.user_id, x.course, q.module FROM ({people}) x "
                    f"JOIN {QUIZZES} q ON q.course = x.course")


def _sqlite_triggers() -> list[str]:
    out = []
    for table, columns, body in (
            ("course_quiz_attempt", ("user_id", "course", "module"), _attempts),
            ("course_lesson_progress", ("user_id", "course"), _progress)):
        for suffix, event, rows in (("ins", "INSERT", ["NEW"]), ("del", "DELETE", ["OLD"]),
                                    ("upd", f"UPDATE OF {', '.join(columns)}", ["OLD", "NEW"])):
            keys = " UNION ".join("SELECT " + ", ".join(f"{r}.{c} AS {c}" for c in columns)
                                  for r in rows)
            out.append(f"CREATE TRIGGER {table}_pending_{suffix} AFTER {event} ON {table} "
                       f"BEGIN {'; '.join(body(keys))}; END")
    return out


def _pg_triggers() -> list[str]:
    """Statement triggers for inserts and deletes (a bulk load refreshes once); a row trigger
    for the rare update of a key column, so that the frequent updates of other columns (a lesson
    viewed again, an attempt submitted) run nothing."""
    out = []
    for table, columns, body in (
            ("course_quiz_attempt", ("user_id", "course", "module"), _attempts),
            ("course_lesson_progress", ("user_id", "course"), _progress)):
        cols = ", ".join(columns)
        name = f"{table}_pending"
        rows = " UNION ".join("SELECT " + ", ".join(f"{r}.{c} AS {c}" for c in columns)
                              for r in ("OLD", "NEW"))
        out.append(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN "
                   f"IF TG_OP = 'INSERT' THEN {'; '.join(body(f'SELECT {cols} FROM new_rows'))}; "
                   f"ELSE {'; '.join(body(f'SELECT {cols} FROM old_rows'))}; END IF; "
                   f"RETURN NULL; END $body$")
        out.append(f"CREATE FUNCTION {name}_row() RETURNS trigger LANGUAGE plpgsql AS $body$ "
                   f"BEGIN {'; '.join(body(rows))}; RETURN NULL; END $body$")
        for suffix, event, refs in (("ins", "INSERT", "NEW TABLE AS new_rows"),
                                    ("del", "DELETE", "OLD TABLE AS old_rows")):
            out.append(f"CREATE TRIGGER {name}_{suffix} AFTER {event} ON {table} "
                       f"REFERENCING {refs} FOR EACH STATEMENT EXECUTE FUNCTION {name}()")
        out.append(f"CREATE TRIGGER {name}_upd AFTER UPDATE OF {cols} ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {name}_row()")
    return out


def upgrade() -> None:
    op.create_table(
        QUIZZES,
        sa.Column('course', sa.String(length=64), nullable=False),
        sa.Column('module', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('course', 'module', name=op.f('pk_course_quiz_attempted')))
    op.create_table(
        PENDING,
        sa.Column('user_id', sa.String(length=64), nullable=False),
        sa.Column('course', sa.String(length=64), nullable=False),
        sa.Column('module', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('user_id', 'course', 'module',
                                name=op.f('pk_course_quiz_pending')))
    with op.batch_alter_table(PENDING, schema=None) as batch_op:
        batch_op.create_index('ix_course_quiz_pending_course_module_user_id',
                              ['course', 'module', 'user_id'], unique=False)
    op.execute(f"INSERT INTO {QUIZZES} (course, module) SELECT DISTINCT course, module "
               f"FROM course_quiz_attempt")
    op.execute(f"INSERT INTO {PENDING} (user_id, course, module) SELECT DISTINCT p.user_id, "
               f"q.course, q.module FROM course_lesson_progress p JOIN {QUIZZES} q "
               f"ON q.course = p.course WHERE NOT EXISTS (SELECT 1 FROM course_quiz_attempt a "
               f"WHERE a.user_id = p.user_id AND a.course = q.course AND a.module = q.module)")
    dialect = op.get_bind().dialect.name
    for statement in _pg_triggers() if dialect == "postgresql" else _sqlite_triggers():
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in ("course_quiz_attempt", "course_lesson_progress"):
        for suffix in ("ins", "upd", "del"):
            op.execute(f"DROP TRIGGER {table}_pending_{suffix}"
                       + (f" ON {table}" if dialect == "postgresql" else ""))
        if dialect == "postgresql":
            op.execute(f"DROP FUNCTION {table}_pending()")
            op.execute(f"DROP FUNCTION {table}_pending_row()")
    op.drop_table(PENDING)
    op.drop_table(QUIZZES)
