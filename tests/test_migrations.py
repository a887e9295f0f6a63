"""Migrations: the plugin's own version table, a full round trip, and models that match them."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from course import migrate
from course.db import VERSION_TABLE, Base
from course.migrations_check import include_name


def test_upgrade_downgrade_round_trip_leaves_host_tables_alone(empty_db_url: str) -> None:
    engine = create_engine(empty_db_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE host_orders (id INTEGER PRIMARY KEY)"))
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        conn.execute(text("INSERT INTO alembic_version VALUES ('hosts-own-revision')"))
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    tables = set(inspect(engine).get_table_names())
    assert {"course_user", "course_password_reset", VERSION_TABLE} <= tables
    with engine.connect() as conn:  # the host's own Alembic history is untouched
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            "hosts-own-revision")
    migrate.downgrade(engine, "base")
    left = set(inspect(engine).get_table_names())
    assert {t for t in left if t.startswith("course_")} <= {VERSION_TABLE}
    assert {"host_orders", "alembic_version"} <= left
    migrate.upgrade(engine)  # and up again
    engine.dispose()


def test_models_match_the_migrations(db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={
            "compare_type": True,
            "include_name": include_name,
        })
        diff = compare_metadata(ctx, Base.metadata)
    engine.dispose()
    assert diff == [], "models and migrations differ; write a migration:\n" + "\n".join(
        map(str, diff))


def test_constraints_follow_the_naming_convention(db_url: str) -> None:
    engine = create_engine(db_url)
    insp = inspect(engine)
    assert insp.get_pk_constraint("course_user")["name"] in ("pk_course_user", None)
    uniques = {u["name"] for u in insp.get_unique_constraints("course_user")}
    assert "uq_course_user_email" in uniques
    fks = {f["name"] for f in insp.get_foreign_keys("course_password_reset")}
    assert "fk_course_password_reset_user_id_course_user" in fks
    engine.dispose()


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(standalone_app) -> None:
    db = standalone_app.extensions["course"].db
    with standalone_app.app_context():
        if db.engine.dialect.name != "sqlite":
            # SQLite pragmas are never sent to another engine.
            assert not getattr(db.engine, "_course_pragmas", False)
            with db.engine.connect() as conn:
                assert conn.execute(text("SELECT 1")).scalar() == 1
            return
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
