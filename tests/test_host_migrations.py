"""A host's own Flask-Migrate never sees the plugin's tables: its `flask db migrate` plans nothing
for them and `flask db check` passes, with Flask-Migrate set up before or after the plugin, on
SQLite and PostgreSQL. Plain Alembic hosts use `exclude_course_tables` (unit-tested here)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, inspect

from course.migrate import exclude_course_tables

ROOT = Path(__file__).resolve().parents[1]


def flask(url: str, order: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOST_DATABASE_URL": url, "HOST_MIGRATE_ORDER": order}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "tests.hostapp.migrating",
                           *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


@pytest.mark.parametrize("order", ["before", "after"])
def test_the_hosts_flask_migrate_leaves_the_plugins_tables_alone(
        empty_db_url: str, tmp_path: Path, order: str) -> None:
    folder = str(tmp_path / "migrations")
    ok(flask(empty_db_url, order, "course", "db", "upgrade"))
    ok(flask(empty_db_url, order, "db", "init", "-d", folder))
    ok(flask(empty_db_url, order, "db", "migrate", "-d", folder, "-m", "shop"))
    [first] = (tmp_path / "migrations" / "versions").glob("*.py")
    script = first.read_text()
    assert "shop_order" in script and "course_" not in script
    ok(flask(empty_db_url, order, "db", "upgrade", "-d", folder))
    engine = create_engine(empty_db_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"shop_order", "alembic_version", "course_user", "course_quiz_attempt",
            "course_certificate", "course_alembic_version"} <= tables
    # `db check` is `db migrate` that fails on any planned change, and writes nothing
    ok(flask(empty_db_url, order, "db", "check", "-d", folder))
    assert len(list((tmp_path / "migrations" / "versions").glob("*.py"))) == 1


def test_a_plain_alembic_host_filters_with_one_argument(db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        unfiltered = compare_metadata(MigrationContext.configure(conn), MetaData())
        filtered = compare_metadata(MigrationContext.configure(
            conn, opts={"include_name": exclude_course_tables}), MetaData())
    engine.dispose()
    assert any(op[0] == "remove_table" for op in unfiltered)  # what a host would have done
    assert filtered == []


def test_the_filter_combines_with_the_hosts_own() -> None:
    def hosts(name: str | None, type_: str, parent_names: object) -> bool:
        return name != "host_scratch"

    combined = exclude_course_tables.wrapping(hosts)
    assert not combined("course_user", "table", {})
    assert not combined("course_alembic_version", "table", {})
    assert not combined("host_scratch", "table", {})
    assert combined("host_orders", "table", {})
    assert combined("ix_course_user_email", "index", {})  # only tables are named by prefix
    assert exclude_course_tables.wrapping(None) is exclude_course_tables


def test_a_site_serving_without_flask_migrate_stops_watching_for_it(standalone_app) -> None:
    from flask import appcontext_pushed

    from course.migrate import _on_context

    def watching() -> bool:
        return _on_context in list(appcontext_pushed.receivers_for(standalone_app))

    assert "migrate" not in standalone_app.extensions
    assert watching()  # Flask-Migrate may still be set up, before the site serves
    client = standalone_app.test_client()
    for _ in range(2):
        assert client.get("/catalogue").status_code == 200
    assert not watching()  # no signal paid on every request from then on
