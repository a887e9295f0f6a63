"""per-organisation tallies for the manager's dashboard, kept by the database in the transaction of
every write that changes them: members and members with a learner record per team, and per team
and course the certified members, members by the month of their first certificate and the sum
and count of best scores per factor quiz; each member's certificate standing per course (certified
or not, month of the first certificate) underneath; filled from the rows already there

Triggers keep them, so every writer (the web, the CLI, imports, bulk SQL) is counted the same way.
Each trigger adds one row's contribution (its OLD values taken away, its NEW ones added), which is
exact for multi-row statements on both databases; the certificate standing is recomputed from the
member's certificates (a state, not a delta), and its own change is what reaches the tallies.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-26 18:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

TALLY = "course_org_tally"
STANDING = "course_member_certificate"


def _add(rows: str) -> str:
    """Add `rows` (org_id, team, course, figure, n, total) to the tallies."""
    return (f"INSERT INTO {TALLY} (org_id, team, course, figure, n, total) {rows} "
            f"ON CONFLICT (org_id, team, course, figure) DO UPDATE SET "
            f"n = {TALLY}.n + excluded.n, total = {TALLY}.total + excluded.total")


def _member(m: str, sign: str) -> list[str]:
    """The whole contribution of membership row `m` (NEW or OLD) while it is active."""
    at = f"{m}.org_id, COALESCE({m}.team, '')"
    live = f"{m}.removed_at IS NULL"
    return [
        _add(f"SELECT {at}, '', 'members', {sign}, 0 WHERE {live}"),
        _add(f"SELECT {at}, '', 'learners', {sign}, 0 FROM course_learner l "
             f"WHERE l.user_id = {m}.user_id AND {live}"),
        _add(f"SELECT {at}, s.course, 'certified', {sign}, 0 FROM {STANDING} s "
             f"WHERE s.user_id = {m}.user_id AND s.certified = 1 AND {live}"),
        _add(f"SELECT {at}, s.course, 'first:' || s.first_month, {sign}, 0 FROM {STANDING} s "
             f"WHERE s.user_id = {m}.user_id AND s.first_month IS NOT NULL AND {live}"),
        _add(f"SELECT {at}, b.course, 'best:' || b.module, {sign}, "
             f"{sign} * CAST(ROUND(b.percent * 100) AS BIGINT) FROM course_quiz_best b "
             f"WHERE b.user_id = {m}.user_id AND {live}"),
    ]


def _of_member(r: str, course: str, figure: str, sign: str, total: str = "0",
               when: str = "") -> str:
    """Add to the tally of row `r`'s holder, if an active member."""
    return _add(f"SELECT m.org_id, COALESCE(m.team, ''), {course}, {figure}, {sign}, {total} "
                f"FROM course_membership m WHERE m.user_id = {r}.user_id "
                f"AND m.removed_at IS NULL{when}")


def _learner(r: str, sign: str) -> list[str]:
    return [_of_member(r, "''", "'learners'", sign)]


def _best(r: str, sign: str) -> list[str]:
    return [_of_member(r, f"{r}.course", f"'best:' || {r}.module", sign,
                       f"{sign} * CAST(ROUND({r}.percent * 100) AS BIGINT)")]


def _standing(r: str, sign: str) -> list[str]:
    return [_of_member(r, f"{r}.course", "'certified'", sign, when=f" AND {r}.certified = 1"),
            _of_member(r, f"{r}.course", f"'first:' || {r}.first_month", sign,
                       when=f" AND {r}.first_month IS NOT NULL")]


def _certificate(r: str, dialect: str) -> list[str]:
    """Recompute the standing of row `r`'s holder on its course from their certificates."""
    if dialect == "postgresql":
        month = "to_char(MIN(c.issued_at) AT TIME ZONE 'UTC', 'YYYY-MM')"
        differs = "IS DISTINCT FROM"
    else:
        month = "strftime('%Y-%m', MIN(c.issued_at))"
        differs = "IS NOT"
    mine = f"c.user_id = {r}.user_id AND c.course = {r}.course"
    return [f"INSERT INTO {STANDING} (user_id, course, certified, first_month) "
            f"SELECT {r}.user_id, {r}.course, CASE WHEN EXISTS (SELECT 1 FROM course_certificate c "
            f"WHERE {mine} AND c.status = 'active') THEN 1 ELSE 0 END, "
            f"(SELECT {month} FROM course_certificate c WHERE {mine}) WHERE 1 = 1 "
            f"ON CONFLICT (user_id, course) DO UPDATE SET certified = excluded.certified, "
            f"first_month = excluded.first_month WHERE {STANDING}.certified <> excluded.certified "
            f"OR {STANDING}.first_month {differs} excluded.first_month"]


# table, the columns whose change matters to an update, the statements for a row
KEPT = (
    ("course_membership", "org_id, team, removed_at, user_id", lambda r, s, d: _member(r, s)),
    ("course_learner", "user_id", lambda r, s, d: _learner(r, s)),
    ("course_quiz_best", "user_id, course, module, percent", lambda r, s, d: _best(r, s)),
    (STANDING, "user_id, course, certified, first_month", lambda r, s, d: _standing(r, s)),
)
CERTIFICATE_COLUMNS = "user_id, course, status, issued_at"


def _sqlite_triggers() -> list[str]:
    out = []
    for table, columns, body in KEPT:
        name = f"{table}_tally"
        out.append(f"CREATE TRIGGER {name}_ins AFTER INSERT ON {table} BEGIN "
                   + "; ".join(body("NEW", "1", "sqlite")) + "; END")
        out.append(f"CREATE TRIGGER {name}_del AFTER DELETE ON {table} BEGIN "
                   + "; ".join(body("OLD", "-1", "sqlite")) + "; END")
        out.append(f"CREATE TRIGGER {name}_upd AFTER UPDATE OF {columns} ON {table} BEGIN "
                   + "; ".join(body("OLD", "-1", "sqlite") + body("NEW", "1", "sqlite"))
                   + "; END")
    for op_, rows in (("INSERT", ["NEW"]), ("DELETE", ["OLD"]),
                      (f"UPDATE OF {CERTIFICATE_COLUMNS}", ["OLD", "NEW"])):
        suffix = op_.split()[0].lower()[:3]
        out.append(f"CREATE TRIGGER course_certificate_standing_{suffix} AFTER {op_} ON "
                   f"course_certificate BEGIN "
                   + "; ".join(s for r in rows for s in _certificate(r, "sqlite")) + "; END")
    return out


def _pg_function(name: str, old: list[str], new: list[str]) -> str:
    return (f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN "
            f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {'; '.join(old)}; END IF; "
            f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {'; '.join(new)}; END IF; "
            f"RETURN NULL; END $body$")


def _pg_triggers() -> list[str]:
    out = []
    for table, columns, body in KEPT:
        name = f"{table}_tally"
        out.append(_pg_function(name, body("OLD", "-1", "postgresql"),
                                body("NEW", "1", "postgresql")))
        out.append(f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OF {columns} OR DELETE ON "
                   f"{table} FOR EACH ROW EXECUTE FUNCTION {name}()")
    name = "course_certificate_standing"
    out.append(_pg_function(name, _certificate("OLD", "postgresql"),
                            _certificate("NEW", "postgresql")))
    out.append(f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OF {CERTIFICATE_COLUMNS} OR DELETE "
               f"ON course_certificate FOR EACH ROW EXECUTE FUNCTION {name}()")
    return out


def upgrade() -> None:
    op.create_table(
        STANDING,
        sa.Column('user_id', sa.String(length=64), nullable=False),
        sa.Column('course', sa.String(length=64), nullable=False),
        sa.Column('certified', sa.SmallInteger(), nullable=False),
        sa.Column('first_month', sa.String(length=7), nullable=True),
        sa.PrimaryKeyConstraint('user_id', 'course', name=op.f('pk_course_member_certificate')))
    op.create_table(
        TALLY,
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('team', sa.String(length=80), nullable=False),
        sa.Column('course', sa.String(length=64), nullable=False),
        sa.Column('figure', sa.String(length=80), nullable=False),
        sa.Column('n', sa.BigInteger(), nullable=False),
        sa.Column('total', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('org_id', 'team', 'course', 'figure',
                                name=op.f('pk_course_org_tally')))
    dialect = op.get_bind().dialect.name
    for statement in _pg_triggers() if dialect == "postgresql" else _sqlite_triggers():
        op.execute(statement)
    # Fill from what is there: the standings (their trigger fills part of the tallies), then
    # every tally from scratch.
    op.execute(_certificate_standings(dialect))
    op.execute(f"DELETE FROM {TALLY}")
    for statement in recount_statements():
        op.execute(statement)


def _certificate_standings(dialect: str) -> str:
    month = ("to_char(MIN(issued_at) AT TIME ZONE 'UTC', 'YYYY-MM')" if dialect == "postgresql"
             else "strftime('%Y-%m', MIN(issued_at))")
    return (f"INSERT INTO {STANDING} (user_id, course, certified, first_month) "
            f"SELECT user_id, course, MAX(CASE WHEN status = 'active' THEN 1 ELSE 0 END), "
            f"{month} FROM course_certificate GROUP BY user_id, course")


def recount_statements() -> list[str]:
    """Every tally from the rows (the tallies table empty before)."""
    members = ("FROM course_membership m {join} WHERE m.removed_at IS NULL {where} "
               "GROUP BY m.org_id, COALESCE(m.team, ''){by}")
    at = "m.org_id, COALESCE(m.team, '')"
    return [
        f"INSERT INTO {TALLY} (org_id, team, course, figure, n, total) SELECT {at}, '', "
        "'members', COUNT(*), 0 " + members.format(join="", where="", by=""),
        f"INSERT INTO {TALLY} (org_id, team, course, figure, n, total) SELECT {at}, '', "
        "'learners', COUNT(*), 0 " + members.format(
            join="JOIN course_learner l ON l.user_id = m.user_id", where="", by=""),
        f"INSERT INTO {TALLY} (org_id, team, course, figure, n, total) SELECT {at}, s.course, "
        "'certified', COUNT(*), 0 " + members.format(
            join=f"JOIN {STANDING} s ON s.user_id = m.user_id", where="AND s.certified = 1",
            by=", s.course"),
        f"INSERT INTO {TALLY} (org_id, team, course, figure, n, total) SELECT {at}, s.course, "
        "'first:' || s.first_month, COUNT(*), 0 " + members.format(
            join=f"JOIN {STANDING} s ON s.user_id = m.user_id",
            where="AND s.first_month IS NOT NULL", by=", s.course, s.first_month"),
        f"INSERT INTO {TALLY} (org_id, team, course, figure, n, total) SELECT {at}, b.course, "
        "'best:' || b.module, COUNT(*), SUM(CAST(ROUND(b.percent * 100) AS BIGINT)) "
        + members.format(join="JOIN course_quiz_best b ON b.user_id = m.user_id", where="",
                         by=", b.course, b.module"),
    ]


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    tables = [table for table, _, _ in KEPT]
    if dialect == "postgresql":
        for table in tables:
            op.execute(f"DROP TRIGGER {table}_tally ON {table}")
            op.execute(f"DROP FUNCTION {table}_tally()")
        op.execute("DROP TRIGGER course_certificate_standing ON course_certificate")
        op.execute("DROP FUNCTION course_certificate_standing()")
    else:
        for table in tables:
            for suffix in ("ins", "del", "upd"):
                op.execute(f"DROP TRIGGER {table}_tally_{suffix}")
        for suffix in ("ins", "del", "upd"):
            op.execute(f"DROP TRIGGER course_certificate_standing_{suffix}")
    op.drop_table(TALLY)
    op.drop_table(STANDING)
