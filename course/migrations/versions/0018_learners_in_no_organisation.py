"""the learners in no organisation (a learner record and no active membership), kept by triggers
in the transaction of every write to learners or memberships, so that a trainer outside every
organisation, whose learners are these, gets them from their own short list instead of walking
every learner; filled from the rows already there

Each trigger recomputes the state of the people the statement touched (row triggers on SQLite,
statement triggers with transition tables on PostgreSQL).

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-26 19:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

LIST = "course_unaffiliated_learner"
IS_LEARNER = "EXISTS (SELECT 1 FROM course_learner l WHERE l.user_id = {0})"
IS_MEMBER = ("EXISTS (SELECT 1 FROM course_membership m WHERE m.user_id = {0} "
             "AND m.removed_at IS NULL)")


def _refresh(keys: str) -> list[str]:
    """Bring the people of `keys` (a query of user_id) in or out of the list."""
    return [f"DELETE FROM {LIST} WHERE user_id IN (SELECT k.user_id FROM ({keys}) k) AND "
            f"(NOT {IS_LEARNER.format(LIST + '.user_id')} OR "
            f"{IS_MEMBER.format(LIST + '.user_id')})",
            f"INSERT INTO {LIST} (user_id) SELECT k.user_id FROM ({keys}) k WHERE "
            f"{IS_LEARNER.format('k.user_id')} AND NOT {IS_MEMBER.format('k.user_id')} "
            f"ON CONFLICT (user_id) DO NOTHING"]


# table, the columns whose update can change the list (none: updates are not watched)
WATCHED = (("course_learner", ()), ("course_membership", ("user_id", "removed_at")))


def _sqlite_triggers() -> list[str]:
    out = []
    for table, columns in WATCHED:
        events = [("ins", "INSERT", ["NEW"]), ("del", "DELETE", ["OLD"])]
        if columns:
            events.append(("upd", f"UPDATE OF {', '.join(columns)}", ["OLD", "NEW"]))
        for suffix, event, rows in events:
            keys = " UNION ".join(f"SELECT {r}.user_id AS user_id" for r in rows)
            out.append(f"CREATE TRIGGER {table}_unaffiliated_{suffix} AFTER {event} ON {table} "
                       f"BEGIN {'; '.join(_refresh(keys))}; END")
    return out


def _pg_triggers() -> list[str]:
    out = []
    new, old = "SELECT user_id FROM new_rows", "SELECT user_id FROM old_rows"
    for table, columns in WATCHED:
        name = f"{table}_unaffiliated"
        out.append(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN "
                   f"IF TG_OP = 'INSERT' THEN {'; '.join(_refresh(new))}; "
                   f"ELSIF TG_OP = 'UPDATE' THEN {'; '.join(_refresh(f'{old} UNION {new}'))}; "
                   f"ELSE {'; '.join(_refresh(old))}; END IF; RETURN NULL; END $body$")
        events = [("ins", "INSERT", "NEW TABLE AS new_rows"),
                  ("del", "DELETE", "OLD TABLE AS old_rows")]
        if columns:
            events.append(("upd", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"))
        for suffix, event, refs in events:
            out.append(f"CREATE TRIGGER {name}_{suffix} AFTER {event} ON {table} "
                       f"REFERENCING {refs} FOR EACH STATEMENT EXECUTE FUNCTION {name}()")
    return out


def upgrade() -> None:
    op.create_table(
        LIST,
        sa.Column('user_id', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_course_unaffiliated_learner')))
    op.execute(f"INSERT INTO {LIST} (user_id) SELECT l.user_id FROM course_learner l "
               f"WHERE NOT {IS_MEMBER.format('l.user_id')}")
    dialect = op.get_bind().dialect.name
    for statement in _pg_triggers() if dialect == "postgresql" else _sqlite_triggers():
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table, columns in WATCHED:
        name = f"{table}_unaffiliated"
        for suffix in ("ins", "del", "upd") if columns else ("ins", "del"):
            op.execute(f"DROP TRIGGER {name}_{suffix}"
                       + (f" ON {table}" if dialect == "postgresql" else ""))
        if dialect == "postgresql":
            op.execute(f"DROP FUNCTION {name}()")
    op.drop_table(LIST)
