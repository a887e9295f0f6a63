"""The standalone app: the plugin mounted at the root with its own accounts and SQLite database."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_sqlalchemy import SQLAlchemy
from itsdangerous import Serializer, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from sqlalchemy.exc import DBAPIError

from . import config as course_config
from .compat import standalone_request_class
from .extension import CoursePlugin, database_unavailable, render_error, template_context
from .links import trusted_hosts

SECRET_FILE = "secret_key"
#: Request limits of the standalone site, checked before a body is read (413). A view that takes
#: a larger upload (a capstone attachment) raises its own limit for that request only.
REQUEST_LIMITS = {
    "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,  # the whole request body
    "MAX_FORM_MEMORY_SIZE": 500_000,  # any one non-file form field
    "MAX_FORM_PARTS": 1_000,  # fields and files in one multipart form
}


class UncompressedSerializer(URLSafeTimedSerializer):
    """itsdangerous's serializer for Flask's session cookie, writing a usual payload without
    zlib.

    Flask's compresses a payload whenever that makes it shorter, and every request then
    inflates it again: for the standalone site's session (about 330 bytes of JSON) that was a
    quarter of reading the cookie, 9 µs a request, for 110 fewer bytes. A payload over
    COMPRESS_ABOVE bytes (messages queued up, say) is still compressed as Flask compresses it,
    so the cookie stays far from browsers' 4 KB limit. Signing, the timestamp and the encoding
    are unchanged, and a compressed cookie (every earlier one) still reads."""

    COMPRESS_ABOVE = 1024

    def dump_payload(self, obj: Any) -> bytes:
        json = Serializer.dump_payload(self, obj)
        if len(json) > self.COMPRESS_ABOVE:
            return super().dump_payload(obj)  # type: ignore[no-any-return]
        return base64_encode(json)


class KeptSerializerSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions with the signing serializer made once per secret key,
    instead of once when the session is opened and again when it is saved (each build also
    serialises a test value), and writing cookies uncompressed (`UncompressedSerializer`):
    signed and checked the same way."""

    _kept: tuple[tuple[Any, ...], Any] | None = None

    def get_signing_serializer(self, app: Flask) -> Any:
        key = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        kept = self._kept
        if kept is None or kept[0] != key:
            made = super().get_signing_serializer(app)
            if type(made) is URLSafeTimedSerializer:  # Flask's own, as Flask configured it
                made.__class__ = UncompressedSerializer
            kept = self._kept = (key, made)
        return kept[1]


class StandaloneApp(Flask):
    """The standalone site's Flask app: Flask's, with `ensure_sync` remembering which functions
    are plain ones. Flask asks it of every request hook and view on every request, and each
    answer (`inspect.iscoroutinefunction`) cost about as much as a hook itself here; an async
    function is still wrapped by Flask each time, as before."""

    _plain: dict[Any, bool]

    def ensure_sync(self, func: Any) -> Any:
        plain = self.__dict__.get("_plain")
        if plain is None:
            plain = self._plain = {}
        try:
            known = plain.get(func)
        except TypeError:  # an unhashable callable: asked each time
            return super().ensure_sync(func)
        if known:
            return func
        synced = super().ensure_sync(func)
        if known is None:
            if len(plain) >= 4096:  # views made on the fly: start again
                plain.clear()
            plain[func] = synced is func
        return synced


def default_instance_path() -> Path:
    """COURSE_INSTANCE_PATH, else `instance/` in the current working directory."""
    return Path(os.environ.get("COURSE_INSTANCE_PATH") or Path.cwd() / "instance").resolve()


def read_secret_file(instance_path: Path) -> str | None:
    """The secret stored in the instance folder by `python -m course serve`, if any."""
    path = instance_path / SECRET_FILE
    return path.read_text().strip() if path.is_file() else None


def create_app(config: Mapping[str, Any] | None = None, *,
               instance_path: str | Path | None = None) -> Flask:
    """Build the standalone training site. `config` overrides environment and defaults."""
    instance = Path(instance_path).resolve() if instance_path else default_instance_path()
    app = StandaloneApp("course", instance_path=str(instance), static_folder=None)
    app.session_interface = KeptSerializerSessions()
    settings: dict[str, Any] = {**course_config.from_environ(), **(config or {})}
    app.config.update(settings)
    app.config.update({k: v for k, v in REQUEST_LIMITS.items() if k not in settings})
    # The whole site is the plugin's: its strict policy, unless the configuration says otherwise.
    app.config["COURSE_CSP"] = app.config.get("COURSE_CSP") or "strict"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = read_secret_file(instance)
    secure = bool(app.config.get("COURSE_SECURE_COOKIES"))
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config["SESSION_COOKIE_SAMESITE"] = app.config["SESSION_COOKIE_SAMESITE"] or "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SECURE"] = secure or app.config["SESSION_COOKIE_SECURE"]
    if app.config["SESSION_COOKIE_SECURE"] and not app.config.get("SESSION_COOKIE_DOMAIN"):
        # __Host-: kept by the browser only if Secure, Path=/ and no Domain, so no subdomain
        # can plant a session (session fixation) or read it.
        if app.config.get("SESSION_COOKIE_NAME", "session") == "session":
            app.config["SESSION_COOKIE_NAME"] = "__Host-session"
        app.config["SESSION_COOKIE_PATH"] = "/"
    if secure:
        app.config.setdefault("PREFERRED_URL_SCHEME", "https")
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", app.config.get("COURSE_DATABASE_URL")
                          or "sqlite:///" + str(instance / "course.db"))
    # A connection that died with its server is replaced, not handed out: recovery after a
    # database restart needs no app restart. SQLite has no server to lose, and the ping would
    # be one more statement on every request.
    server = not str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite")
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": server})
    # The standalone site owns its database: WAL, foreign keys and a busy timeout on SQLite.
    app.config.setdefault("COURSE_SQLITE_PRAGMAS", True)
    db = SQLAlchemy()
    db.init_app(app)
    CoursePlugin(app, url_prefix="", db=db, accounts=True)
    # The standalone app owns its whole site, so its error pages and headers apply app-wide,
    # to the requests the course blueprint does not serve (unknown URLs) too.
    _site_wide(app)
    for code in (404, 405, 413, 500):
        app.register_error_handler(code, render_error)
    app.register_error_handler(DBAPIError, database_unavailable)
    _behind_proxies(app)
    return app


def _site_wide(app: Flask) -> None:
    """The standalone app owns its whole site: the course blueprint's request hooks move to the
    app, so that they run for every request (unknown URLs too) and once; its context processor
    gets an app-wide copy for the pages the blueprint does not serve (the error pages)."""
    name = app.extensions["course"].blueprint_name
    for hooks in (app.before_request_funcs, app.after_request_funcs):
        moved = hooks.pop(name, [])
        hooks.setdefault(None, []).extend(moved)

    def context() -> dict[str, Any]:
        ours = has_request_context() and name in request.blueprints
        return {} if ours else template_context()

    app.context_processor(context)


def _behind_proxies(app: Flask) -> None:
    """Trust X-Forwarded-* from exactly COURSE_TRUSTED_PROXIES proxies, and answer only to
    COURSE_TRUSTED_HOSTS, else to the host of COURSE_BASE_URL (Host header attacks)."""
    proxies = int(app.config.get("COURSE_TRUSTED_PROXIES") or 0)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    if app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)
    standalone_request_class(app)  # Flask 3.0 only: what 3.1 does from these settings
