"""The plugin contract of design.md §3, proven on a host app of our own (tests/hostapp)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from flask import Flask, url_for
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import create_engine, inspect

from course import CourseConfigError, CoursePlugin, migrate
from course.db import Base
from tests.hostapp import create_host_app

STRONG = secrets.token_urlsafe(32)  # a key of its own: one written here would be public


def bare_host(db_url: str = "sqlite://", **config) -> tuple[Flask, SQLAlchemy]:
    app = Flask("host")
    app.config.update(SECRET_KEY=STRONG, SQLALCHEMY_DATABASE_URI=db_url, **config)
    db = SQLAlchemy()
    db.init_app(app)
    LoginManager(app).user_loader(lambda user_id: None)
    return app, db


def handlers(app: Flask) -> dict[str, object]:
    """Everything app-wide a plugin could hook into."""
    return {
        "before": list(app.before_request_funcs.get(None, [])),
        "after": list(app.after_request_funcs.get(None, [])),
        "teardown": list(app.teardown_request_funcs.get(None, [])),
        "context": list(app.template_context_processors.get(None, [])),
        "errors": {k: dict(v) for k, v in app.error_handler_spec.get(None, {}).items()},
        "url_value": list(app.url_value_preprocessors.get(None, [])),
        "url_defaults": list(app.url_default_functions.get(None, [])),
    }


def test_registering_twice_raises() -> None:
    app, db = bare_host()
    plugin = CoursePlugin()
    plugin.init_app(app, db=db)
    with pytest.raises(CourseConfigError, match="already registered"):
        plugin.init_app(app, db=db)
    with pytest.raises(CourseConfigError, match="already registered"):
        CoursePlugin(app, db=db)


def test_one_plugin_object_serves_two_apps(db_url: str) -> None:
    plugin = CoursePlugin()
    first, db1 = bare_host(db_url, COURSE_SITE_NAME="First Co")
    second, db2 = bare_host(db_url, COURSE_SITE_NAME="Second Co")
    plugin.init_app(first, url_prefix="/learn", db=db1)
    plugin.init_app(second, url_prefix="/academy", db=db2)
    assert "First Co" in first.test_client().get("/learn/catalogue").get_data(as_text=True)
    assert "Second Co" in second.test_client().get("/academy/catalogue").get_data(as_text=True)
    assert first.extensions["course"].plugin is second.extensions["course"].plugin
    assert first.extensions["course"] is not second.extensions["course"]
    assert not hasattr(plugin, "app")
    for app, db in ((first, db1), (second, db2)):
        with app.app_context():
            db.engine.dispose()


def test_host_config_is_not_overwritten() -> None:
    app, db = bare_host(COURSE_SITE_NAME="Host Academy", COURSE_PASSWORD_MIN_LENGTH=16,
                        SESSION_COOKIE_SAMESITE="Strict")
    CoursePlugin(app, db=db)
    assert app.config["COURSE_SITE_NAME"] == "Host Academy"
    assert app.config["COURSE_PASSWORD_MIN_LENGTH"] == 16
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Strict"
    assert app.config["COURSE_OPEN_REGISTRATION"] is True  # defaults fill the rest


def test_prefix_is_honoured(host_app: Flask) -> None:
    client = host_app.test_client()
    assert client.get("/training/catalogue").status_code == 200
    assert client.get("/catalogue").status_code == 404
    assert client.get("/").get_data(as_text=True) == "host home"
    html = client.get("/training/catalogue").get_data(as_text=True)
    assert 'href="/training/static/course/style.css"' in html
    with client.get("/training/static/course/style.css") as static:
        assert static.status_code == 200 and static.mimetype == "text/css"
    with host_app.test_request_context():
        assert url_for("course.lessons.catalogue") == "/training/catalogue"


def test_endpoints_nest_under_one_parent_blueprint(host_app: Flask) -> None:
    endpoints = {r.endpoint for r in host_app.url_map.iter_rules()}
    ours = {e for e in endpoints if e.startswith("course.")}
    assert {"course.lessons.catalogue", "course.static"} <= ours
    assert endpoints - ours == {"static", "home", "host_login", "host_logout"}


def test_host_users_reach_the_plugin_through_hooks(host_app: Flask) -> None:
    client = host_app.test_client()
    response = client.get("/training/catalogue")
    anonymous = response.get_data(as_text=True)
    # The plugin has no accounts here: its "Log in" is the host's log-in view.
    assert "/training/account/login" not in anonymous
    assert '<a href="/login?next=%2Ftraining%2Fcatalogue">Log in</a>' in anonymous
    client.post("/login", data={"email": "ada@host.example"})
    html = client.get("/training/catalogue").get_data(as_text=True)
    assert "Ada Host" in html  # the display_name hook
    with host_app.test_request_context():
        from flask_login import login_user

        from course.identity import current_roles, current_user_id
        from tests.hostapp import Staff, db

        login_user(db.session.scalar(db.select(Staff).filter_by(email="ada@host.example")))
        assert current_user_id() == "1"
        assert current_roles() == {"learner", "trainer"}
    with host_app.test_request_context():
        from flask_login import UserMixin

        class Switchable(UserMixin):
            id, name, is_trainer, active = 7, "Sam", False, True

            @property
            def is_active(self) -> bool:  # UserMixin's is_authenticated follows it
                return self.active

        sam = Switchable()
        login_user(sam)
        assert current_user_id() == "7"
        # The same user object, no longer signed in: the plugin stops treating it as signed
        # in within the same request.
        sam.active = False
        assert current_user_id() is None and current_roles() == set()


def test_a_host_template_overrides_ours(db_url: str, tmp_path: Path) -> None:
    templates = tmp_path / "templates" / "course" / "lessons"
    templates.mkdir(parents=True)
    (templates / "catalogue.html").write_text("HOST OVERRIDE {{ catalog.courses|length }}")
    app, db = bare_host(db_url)
    app.template_folder = str(tmp_path / "templates")
    CoursePlugin(app, db=db)
    assert app.test_client().get("/course/catalogue").get_data(as_text=True) == "HOST OVERRIDE 1"
    with app.app_context():
        db.engine.dispose()


def test_every_table_is_prefixed(db_url: str) -> None:
    assert Base.metadata.tables
    assert all(name.startswith("course_") for name in Base.metadata.tables)
    engine = create_engine(db_url)
    names = inspect(engine).get_table_names()
    engine.dispose()
    assert names and all(name.startswith("course_") for name in names)
    assert "course_alembic_version" in names
    with pytest.raises(TypeError, match="course_"):
        type("Bad", (Base,), {"__tablename__": "users", "__annotations__": {}})


def test_the_plugin_adds_no_app_wide_handlers() -> None:
    app, db = bare_host()
    before = handlers(app)
    CoursePlugin(app, db=db)
    assert handlers(app) == before


def test_error_pages_are_scoped_to_the_plugin(host_app: Flask) -> None:
    client = host_app.test_client()
    inside = client.get("/training/account-that-is-not-here")
    outside = client.get("/not-the-plugin")
    assert inside.status_code == outside.status_code == 404
    assert "Host Corp Learning" not in outside.get_data(as_text=True)
    assert "Content-Security-Policy" not in outside.headers  # the host's pages are the host's


def test_init_app_does_no_io(tmp_path: Path) -> None:
    # A database nobody listens on and a content root that does not exist: init_app must not care.
    app, db = bare_host("postgresql+psycopg://nobody@127.0.0.1:1/none",
                        COURSE_CONTENT_ROOT=str(tmp_path / "missing"))
    CoursePlugin(app, db=db)
    assert not (tmp_path / "missing").exists()
    sqlite_app, sqlite_db = bare_host(f"sqlite:///{tmp_path / 'lazy.db'}")
    CoursePlugin(sqlite_app, db=sqlite_db)
    assert not (tmp_path / "lazy.db").exists()  # no table creation, not even a connection


def test_missing_login_manager_is_a_clear_error() -> None:
    app = Flask("host")
    app.config.update(SECRET_KEY=STRONG, SQLALCHEMY_DATABASE_URI="sqlite://")
    db = SQLAlchemy(app)
    with pytest.raises(CourseConfigError, match="LoginManager"):
        CoursePlugin(app, db=db)


def test_db_must_be_initialised_on_the_app_first() -> None:
    app = Flask("host")
    app.config.update(SECRET_KEY=STRONG)
    LoginManager(app)
    with pytest.raises(CourseConfigError, match="db.init_app"):
        CoursePlugin(app, db=SQLAlchemy())


def test_without_a_db_the_plugin_uses_the_apps_own_or_makes_one(tmp_path: Path) -> None:
    app, db = bare_host()
    CoursePlugin(app)  # finds the host's Flask-SQLAlchemy
    assert app.extensions["course"].db is db
    lone = Flask("lone", instance_path=str(tmp_path))
    lone.config["SECRET_KEY"] = STRONG
    LoginManager(lone)
    CoursePlugin(lone)
    assert lone.config["SQLALCHEMY_DATABASE_URI"].endswith(str(tmp_path / "course.db"))


def test_unknown_options_and_bad_prefixes_are_refused() -> None:
    with pytest.raises(TypeError, match="colour"):
        CoursePlugin(colour="blue")
    app, db = bare_host()
    with pytest.raises(CourseConfigError, match="url_prefix"):
        CoursePlugin().init_app(app, url_prefix="training", db=db)


def test_weak_secret_is_refused_in_a_host_too() -> None:
    app = Flask("host")
    app.config.update(SECRET_KEY="dev", SQLALCHEMY_DATABASE_URI="sqlite://")
    db = SQLAlchemy(app)
    LoginManager(app)
    with pytest.raises(CourseConfigError, match="SECRET_KEY"):
        CoursePlugin(app, db=db)


def test_host_can_migrate_with_the_cli(tmp_path: Path) -> None:
    app = create_host_app(f"sqlite:///{tmp_path / 'host.db'}")
    result = app.test_cli_runner().invoke(args=["course", "db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert migrate.head_revision() in result.output
    with app.app_context():
        app.extensions["course"].db.engine.dispose()
