"""CoursePlugin: the Flask extension that mounts the course into an app.

It follows the contract of Flask-SQLAlchemy and Flask-WTF: `CoursePlugin(app=None, **options)` and
`init_app(app, *, url_prefix="/course", db=None)`, per-app state in `app.extensions["course"]`,
COURSE_* config defaults set with `setdefault`, and no I/O in `init_app` (tables come from
`flask course db upgrade`; content is read on first use).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, render_template
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.exc import DBAPIError

from . import config as course_config
from . import hostmail, ops
from .accounts import init_feature as init_accounts
from .capstone import init_feature as init_capstone
from .certificates import init_feature as init_certificates
from .cli import cli
from .context import template_context
from .db import configure_sqlite
from .errors import CourseConfigError
from .headers import check_config as check_header_config
from .headers import csp_nonce
from .hosting import host_cli_command, secret_problem
from .identity import (
    IdentityHooks,
    current_user_id,
)
from .lessons import init_feature as init_lessons
from .links import url_for as course_url_for
from .links import url_maker
from .migrate import watch_flask_migrate
from .orgs import init_feature as init_orgs
from .privacy import init_feature as init_privacy
from .quizzes import init_feature as init_quizzes
from .state import EXTENSION_KEY, CourseState, get_state
from .trainers import init_feature as init_trainers
from .web import IdConverter

log = logging.getLogger(__name__)
__all__ = ["CoursePlugin", "CourseState", "get_state"]
#: Each feature's `init_feature(app, state)`: its blueprint, its receivers, what it provides.
#: The order is the order of their blueprints under the parent `course` blueprint.
FEATURES = (init_lessons, init_quizzes, init_certificates, init_orgs, init_capstone,
            init_privacy, init_accounts, init_trainers)
HOOK_NAMES = ("user_id", "roles", "display_name", "email")
#: Options that are not identity hooks: `base_url` is a callable returning the site's address
#: for links in emails (a host serving several domains); see `course.links`.
#: `send_mail` takes each outgoing `EmailMessage` (the same as COURSE_SEND_MAIL; see `course.mail`).
SITE_OPTIONS = ("base_url", "send_mail")


class CoursePlugin:
    """The course as a Flask extension; one object may serve several apps."""

    def __init__(self, app: Flask | None = None, **options: Any) -> None:
        unknown = set(options) - {"url_prefix", "db", "accounts", *HOOK_NAMES, *SITE_OPTIONS}
        if unknown:
            raise TypeError(f"unknown CoursePlugin options: {', '.join(sorted(unknown))}")
        self.options = options
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask, *, url_prefix: str | None = None,
                 db: SQLAlchemy | None = None, accounts: bool | None = None,
                 **hooks: Any) -> None:
        """Register the course on `app` under `url_prefix` (default "/course")."""
        if EXTENSION_KEY in app.extensions:
            raise CourseConfigError("the course plugin is already registered on this app")
        blueprint_name = self._blueprint_name(app)  # before anything is registered
        opts = {**self.options, **hooks}
        url_prefix = self._prefix(url_prefix if url_prefix is not None
                                  else opts.get("url_prefix", "/course"))
        accounts = bool(accounts if accounts is not None else opts.get("accounts", False))
        self._check_secret(app)  # the checks first: a refusal leaves the app untouched
        if not accounts and not hasattr(app, "login_manager"):
            raise CourseConfigError(
                "the course plugin needs Flask-Login: call LoginManager().init_app(app) before "
                "the plugin, or pass accounts=True to use the plugin's own accounts")
        db = self._database(app, db if db is not None else opts.get("db"))
        if opts.get("send_mail") is not None:
            app.config["COURSE_SEND_MAIL"] = opts["send_mail"]
        course_config.apply_defaults(app.config)
        check_header_config(app.config)
        hook_values = {k: opts[k] for k in HOOK_NAMES if opts.get(k) is not None}
        state = CourseState(self, db, url_prefix, accounts, IdentityHooks(**hook_values),
                            base_url=opts.get("base_url"), blueprint_name=blueprint_name)
        app.extensions[EXTENSION_KEY] = state
        for init_feature in FEATURES:
            init_feature(app, state)
        ops.connect(app)
        watch_flask_migrate(app)
        app.url_map.converters.setdefault("course_id", IdConverter)
        hostmail.register()
        app.jinja_env.globals.setdefault("course_url_for", course_url_for)
        app.jinja_env.globals.setdefault("course_url_maker", url_maker)
        # A global, not a context processor: a host's base template renders the host's own pages
        # too. A host that has its own csp_nonce (Flask-Talisman's) keeps it.
        app.jinja_env.globals.setdefault("csp_nonce", csp_nonce)
        app.register_blueprint(build_blueprint(state), url_prefix=url_prefix or None)

    @staticmethod
    def _prefix(prefix: str) -> str:
        prefix = prefix.rstrip("/")
        if prefix and not prefix.startswith("/"):
            raise CourseConfigError(f"url_prefix must start with '/': {prefix!r}")
        return prefix

    @staticmethod
    def _blueprint_name(app: Flask) -> str:
        """COURSE_BLUEPRINT_NAME, checked against the app's blueprints before any change."""
        name = app.config.get("COURSE_BLUEPRINT_NAME") or "course"
        if not isinstance(name, str) or not name.isidentifier():
            raise CourseConfigError(
                f"COURSE_BLUEPRINT_NAME must be a Python identifier (no dots): {name!r}")
        if name in app.blueprints:
            raise CourseConfigError(
                f"this app already has a blueprint named {name!r}: set COURSE_BLUEPRINT_NAME "
                "to another name for the course plugin (its endpoints become "
                "'<name>.lessons.index' and so on); nothing was registered")
        return name

    @staticmethod
    def _database(app: Flask, db: SQLAlchemy | None) -> SQLAlchemy:
        own = False
        if db is None:
            db = app.extensions.get("sqlalchemy")
        if db is None:
            db = SQLAlchemy()
            app.config.setdefault("SQLALCHEMY_DATABASE_URI", _instance_sqlite_url(app))
            db.init_app(app)
            own = True
        elif app.extensions.get("sqlalchemy") is not db:
            raise CourseConfigError("call db.init_app(app) before registering the course plugin")
        # A host's engine is the host's: no pragmas unless it asks (True); the plugin's own
        # database (standalone, or one it made here) gets them unless turned off (False).
        pragmas = app.config.get("COURSE_SQLITE_PRAGMAS")
        if isinstance(pragmas, str):  # from an environment variable
            pragmas = pragmas.strip().lower() in {"1", "true", "yes", "on"}
        if pragmas or (pragmas is None and own):
            timeout = app.config.get("COURSE_SQLITE_BUSY_TIMEOUT_MS",
                                     course_config.DEFAULTS["COURSE_SQLITE_BUSY_TIMEOUT_MS"])
            with app.app_context():  # the engines exist already; this only reads them
                engines = list(db.engines.values())
            for engine in engines:
                configure_sqlite(engine, timeout)
        return db

    @staticmethod
    def _check_secret(app: Flask) -> None:
        """Refuse to serve with a weak SECRET_KEY; under the `flask` command only the plugin's
        own commands (`flask course ...`) and `flask run` refuse, the host's run as usual."""
        problem = secret_problem(app)
        if problem is not None and not host_cli_command():
            raise CourseConfigError(problem)


def _instance_sqlite_url(app: Flask) -> str:
    return "sqlite:///" + str(Path(app.instance_path) / "course.db")


def render_error(error: Any) -> tuple[str, int]:
    """Render the plugin's page for an HTTP error code."""
    code = getattr(error, "code", 500) or 500
    if code == 403:
        ops.permission_denied(current_user_id())
    template = (f"course/errors/{code}.html" if code in (403, 404, 413, 429)
                else "course/errors/500.html")
    return render_template(template, error=error), code


def database_unavailable(error: Exception) -> tuple[str, int, dict[str, str]]:
    """The database cannot be reached (or failed mid-request): a clear page, not a stack."""
    log.error("database error: %s", type(error).__name__)
    try:
        get_state().db.session.rollback()
    except Exception:  # the connection may be gone; the pool replaces it later
        pass
    return render_template("course/errors/503.html"), 503, {"Retry-After": "30"}


def build_blueprint(state: CourseState) -> Blueprint:
    """The parent blueprint `course` with every feature's blueprint nested inside it."""
    bp = Blueprint(state.blueprint_name, __name__, template_folder="templates",
                   static_folder="static",
                   static_url_path="/static", cli_group=None)
    bp.context_processor(template_context)
    for processor in state.context_processors:
        bp.context_processor(processor)
    bp.before_request(ops.assign_request_id)
    bp.after_request(ops.finish_response)
    bp.register_error_handler(DBAPIError, database_unavailable)
    for code in (403, 404, 413, 429, 500):
        bp.register_error_handler(code, render_error)
    for feature_bp in state.blueprints:
        bp.register_blueprint(feature_bp)
    bp.register_blueprint(ops.create_blueprint())
    bp.cli.add_command(cli)
    return bp
