"""per-organisation tallies for the manager's dashboard, kept by the database in the transaction of
every write that changes them: members and members with a learner record per team, and per team
and course the certified members, members by the month of their first certificate and the sum
and count of best scores per factor quiz; each member's certificate standing per course (certified
or not, month of the first certificate) underneath; filled from the rows already there

Triggers keep them, so every writer (the web, the CLI, imports, bulk SQL) is counted the same way:
a change adds what the changed rows bring (the old values taken away, the new ones added), per row
on SQLite, summed per statement on PostgreSQL (statement triggers with transition tables, so a bulk
load touches each tally once); the certificate standing is recomputed from the member's
certificates (a state, not a delta), and its own change is what reaches the tallies.

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
OUT = "org_id, team, course, figure, n, total"


def _format(dialect: str, value: str, fmt: str) -> str:
    """`value` (a UTC timestamp) as YYYY-MM ("month") or YYYY-MM-DD ("day")."""
    if dialect == "postgresql":
        return f"to_char({value} AT TIME ZONE 'UTC', '{'YYYY-MM' if fmt == 'month' else 'YYYY-MM-DD'}')"
    return f"strftime('{'%Y-%m' if fmt == 'month' else '%Y-%m-%d'}', {value})"


def _row(m: str) -> str:
    """The tally's organisation and team: those of membership `m`."""
    return f"{m}.org_id AS org_id, COALESCE({m}.team, '') AS team"


def _member(src: str, dialect: str) -> list[str]:
    """Everything an active membership row brings to its team's tallies."""
    at = _row("r")
    live = "r.removed_at IS NULL"
    return [
        f"SELECT {at}, '' AS course, 'members' AS figure, r.sign AS n, 0 AS total "
        f"FROM {src} r WHERE {live}",
        f"SELECT {at}, '', 'learners', r.sign, 0 FROM {src} r "
        f"JOIN course_learner l ON l.user_id = r.user_id WHERE {live}",
        f"SELECT {at}, s.course, 'certified', r.sign, 0 FROM {src} r "
        f"JOIN {STANDING} s ON s.user_id = r.user_id WHERE s.certified = 1 AND {live}",
        f"SELECT {at}, s.course, 'first:' || s.first_month, r.sign, 0 FROM {src} r "
        f"JOIN {STANDING} s ON s.user_id = r.user_id WHERE s.first_month IS NOT NULL AND {live}",
        f"SELECT {at}, s.course, 'ends:' || {_format(dialect, 's.ends_at', 'day')}, r.sign, 0 "
        f"FROM {src} r JOIN {STANDING} s ON s.user_id = r.user_id "
        f"WHERE s.ends_at IS NOT NULL AND {live}",
        f"SELECT {at}, b.course, 'best:' || b.module, r.sign, "
        f"r.sign * CAST(ROUND(b.percent * 100) AS BIGINT) FROM {src} r "
        f"JOIN course_quiz_best b ON b.user_id = r.user_id WHERE {live}",
    ]


def _holder(src: str, course: str, figure: str, total: str = "0", when: str = "") -> str:
    """A row's contribution to its holder's team, if the holder is an active member."""
    return (f"SELECT {_row('m')}, {course} AS course, {figure} AS figure, r.sign AS n, "
            f"{total} AS total FROM {src} r JOIN course_membership m ON m.user_id = r.user_id "
            f"WHERE m.removed_at IS NULL{when}")


def _learner(src: str, dialect: str) -> list[str]:
    return [_holder(src, "''", "'learners'")]


def _best(src: str, dialect: str) -> list[str]:
    return [_holder(src, "r.course", "'best:' || r.module",
                    "r.sign * CAST(ROUND(r.percent * 100) AS BIGINT)")]


def _standing(src: str, dialect: str) -> list[str]:
    return [_holder(src, "r.course", "'certified'", when=" AND r.certified = 1"),
            _holder(src, "r.course", "'first:' || r.first_month",
                    when=" AND r.first_month IS NOT NULL"),
            _holder(src, "r.course", f"'ends:' || {_format(dialect, 'r.ends_at', 'day')}",
                    when=" AND r.ends_at IS NOT NULL")]


def _add(parts: list[str]) -> str:
    """Add the rows of `parts` to the tallies, summed per tally (each touched once)."""
    return (f"INSERT INTO {TALLY} ({OUT}) SELECT org_id, team, course, figure, SUM(n), "
            f"SUM(total) FROM ({' UNION ALL '.join(parts)}) d "
            f"GROUP BY org_id, team, course, figure HAVING SUM(n) <> 0 OR SUM(total) <> 0 "
            f"ON CONFLICT (org_id, team, course, figure) DO UPDATE SET "
            f"n = {TALLY}.n + excluded.n, total = {TALLY}.total + excluded.total")


def _standings(keys: str, dialect: str) -> str:
    """Recompute the certificate standing of each (user_id, course) of `keys`."""
    differs = "IS DISTINCT FROM" if dialect == "postgresql" else "IS NOT"
    mine = "c.user_id = k.user_id AND c.course = k.course"
    month = _format(dialect, "MIN(c.issued_at)", "month")
    return (f"INSERT INTO {STANDING} (user_id, course, certified, first_month, ends_at) "
            f"SELECT k.user_id, k.course, CASE WHEN EXISTS (SELECT 1 FROM course_certificate c "
            f"WHERE {mine} AND c.status = 'active') THEN 1 ELSE 0 END, "
            f"(SELECT {month} FROM course_certificate c WHERE {mine}), "
            f"(SELECT MIN(c.valid_until) FROM course_certificate c WHERE {mine} "
            f"AND c.status = 'active') FROM ({keys}) k WHERE 1 = 1 "
            f"ON CONFLICT (user_id, course) DO UPDATE SET certified = excluded.certified, "
            f"first_month = excluded.first_month, ends_at = excluded.ends_at "
            f"WHERE {STANDING}.certified <> excluded.certified "
            f"OR {STANDING}.first_month {differs} excluded.first_month "
            f"OR {STANDING}.ends_at {differs} excluded.ends_at")


# table, the columns a row brings (an update of other columns changes nothing), its parts;
# a learner's row brings only its key, so its updates (last seen) are not watched at all
KEPT = (
    ("course_membership", ("org_id", "team", "removed_at", "user_id"), _member),
    ("course_learner", (), _learner),
    ("course_quiz_best", ("user_id", "course", "module", "percent"), _best),
    (STANDING, ("user_id", "course", "certified", "first_month", "ends_at"), _standing),
)
CERTIFICATE = ("user_id", "course", "status", "issued_at", "valid_until")


def _events(columns: tuple[str, ...]) -> list[tuple[str, str]]:
    return [("ins", "INSERT"), ("del", "DELETE")] + (
        [("upd", f"UPDATE OF {', '.join(columns)}")] if columns else [])


def _sqlite_row(row: str, columns: tuple[str, ...], sign: int) -> str:
    return "SELECT " + ", ".join(f"{row}.{c} AS {c}" for c in dict.fromkeys(
        ("user_id", *columns))) + f", {sign} AS sign"


def _sqlite_triggers() -> list[str]:
    """Row triggers (SQLite has no other kind): each adds its row's contribution."""
    out = []
    for table, columns, parts in KEPT:
        rows_of = {"ins": [("NEW", 1)], "del": [("OLD", -1)], "upd": [("OLD", -1), ("NEW", 1)]}
        for suffix, event in _events(columns):
            rows = rows_of[suffix]
            src = "(" + " UNION ALL ".join(_sqlite_row(r, columns, s) for r, s in rows) + ")"
            out.append(f"CREATE TRIGGER {table}_tally_{suffix} AFTER {event} ON {table} "
                       f"BEGIN {_add(parts(src, 'sqlite'))}; END")
    for suffix, event, rows in (("ins", "INSERT", ["NEW"]), ("del", "DELETE", ["OLD"]),
                                ("upd", f"UPDATE OF {', '.join(CERTIFICATE)}", ["OLD", "NEW"])):
        keys = " UNION ".join(f"SELECT {r}.user_id AS user_id, {r}.course AS course"
                              for r in rows)
        out.append(f"CREATE TRIGGER course_certificate_standing_{suffix} AFTER {event} ON "
                   f"course_certificate BEGIN {_standings(keys, 'sqlite')}; END")
    return out


def _pg_rows(rows: str, columns: tuple[str, ...], sign: int) -> str:
    return f"SELECT {', '.join(dict.fromkeys(('user_id', *columns)))}, {sign} AS sign FROM {rows}"


PG_EVENTS = (("ins", "INSERT", "NEW TABLE AS new_rows"), ("upd", "UPDATE",
             "OLD TABLE AS old_rows NEW TABLE AS new_rows"), ("del", "DELETE",
             "OLD TABLE AS old_rows"))


def _pg_function(name: str, insert: str, update: str, delete: str) -> str:
    return (f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN "
            f"IF TG_OP = 'INSERT' THEN {insert}; ELSIF TG_OP = 'UPDATE' THEN {update}; "
            f"ELSE {delete}; END IF; RETURN NULL; END $body$")


def _pg_triggers() -> list[str]:
    """Statement triggers with transition tables: one summed change per tally and statement
    (a bulk load updates each tally row once, not once per row)."""
    out = []
    for table, columns, parts in KEPT:
        new, old = _pg_rows("new_rows", columns, 1), _pg_rows("old_rows", columns, -1)
        pg = "postgresql"
        out.append(_pg_function(f"{table}_tally", _add(parts(f"({new})", pg)),
                                _add(parts(f"({old} UNION ALL {new})", pg)),
                                _add(parts(f"({old})", pg))))
        for suffix, event, refs in PG_EVENTS:
            if suffix == "upd" and not columns:
                continue
            out.append(f"CREATE TRIGGER {table}_tally_{suffix} AFTER {event} ON {table} "
                       f"REFERENCING {refs} FOR EACH STATEMENT EXECUTE FUNCTION {table}_tally()")
    new = "SELECT DISTINCT user_id, course FROM new_rows"
    old = "SELECT DISTINCT user_id, course FROM old_rows"
    name = "course_certificate_standing"
    out.append(_pg_function(name, _standings(new, "postgresql"),
                            _standings(f"{old} UNION {new}", "postgresql"),
                            _standings(old, "postgresql")))
    for suffix, event, refs in PG_EVENTS:
        out.append(f"CREATE TRIGGER {name}_{suffix} AFTER {event} ON course_certificate "
                   f"REFERENCING {refs} FOR EACH STATEMENT EXECUTE FUNCTION {name}()")
    return out


def upgrade() -> None:
    op.create_table(
        STANDING,
        sa.Column('user_id', sa.String(length=64), nullable=False),
        sa.Column('course', sa.String(length=64), nullable=False),
        sa.Column('certified', sa.SmallInteger(), nullable=False),
        sa.Column('first_month', sa.String(length=7), nullable=True),
        sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('user_id', 'course', name=op.f('pk_course_member_certificate')))
    with op.batch_alter_table(STANDING, schema=None) as batch_op:
        batch_op.create_index('ix_course_member_certificate_course_ends_at',
                              ['course', 'ends_at'], unique=False)
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
    # Filled from what is there, then kept by the triggers.
    op.execute(_certificate_standings(dialect))
    for statement in recount_statements(dialect):
        op.execute(statement)
    for statement in _pg_triggers() if dialect == "postgresql" else _sqlite_triggers():
        op.execute(statement)


def _certificate_standings(dialect: str) -> str:
    active = "CASE WHEN status = 'active' THEN {} END"
    return (f"INSERT INTO {STANDING} (user_id, course, certified, first_month, ends_at) "
            f"SELECT user_id, course, MAX({active.format(1)}), "
            f"{_format(dialect, 'MIN(issued_at)', 'month')}, MIN({active.format('valid_until')}) "
            f"FROM course_certificate GROUP BY user_id, course")


def recount_statements(dialect: str) -> list[str]:
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
        f"INSERT INTO {TALLY} (org_id, team, course, figure, n, total) SELECT {at}, s.course, "
        f"'ends:' || {_format(dialect, 's.ends_at', 'day')}, COUNT(*), 0 " + members.format(
            join=f"JOIN {STANDING} s ON s.user_id = m.user_id",
            where="AND s.ends_at IS NOT NULL",
            by=f", s.course, {_format(dialect, 's.ends_at', 'day')}"),
        f"INSERT INTO {TALLY} (org_id, team, course, figure, n, total) SELECT {at}, b.course, "
        "'best:' || b.module, COUNT(*), SUM(CAST(ROUND(b.percent * 100) AS BIGINT)) "
        + members.format(join="JOIN course_quiz_best b ON b.user_id = m.user_id", where="",
                         by=", b.course, b.module"),
    ]


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    tables = [table for table, _, _ in KEPT]
    names = [f"{table}_tally" for table in tables] + ["course_certificate_standing"]
    watched = [bool(columns) for _, columns, _ in KEPT] + [True]
    for name, table, updates in zip(names, [*tables, "course_certificate"], watched,
                                    strict=True):
        for suffix in ("ins", "upd", "del") if updates else ("ins", "del"):
            op.execute(f"DROP TRIGGER {name}_{suffix}"
                       + (f" ON {table}" if dialect == "postgresql" else ""))
        if dialect == "postgresql":
            op.execute(f"DROP FUNCTION {name}()")
    op.drop_table(TALLY)
    op.drop_table(STANDING)
