"""The current app, request and `g`, read straight from Flask's context variables.

`flask.current_app`, `request` and `g` are werkzeug proxies: each attribute read through one
finds the context again, about ten times the cost of the read itself (2.4 µs against 0.2 µs,
measured on the benchmark machine), and a lesson page made some 30 such reads in the plugin's
own code. These return the objects the proxies stand for, from the same context variables
Flask's proxies read (Flask 2.2 and later); with a Flask that has none, they ask the proxies.
Outside a context they fail as the proxies do (RuntimeError).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import current_app, g, get_flashed_messages, request, session

if TYPE_CHECKING:
    from flask import Flask, Request
    from flask.ctx import _AppCtxGlobals

try:
    from flask.globals import _cv_app, _cv_request
except ImportError:  # pragma: no cover - a Flask without context variables
    _cv_app = _cv_request = None


def this_app() -> Flask:
    """The current app (`current_app`'s object)."""
    ctx = _cv_app.get(None) if _cv_app is not None else None
    return ctx.app if ctx is not None else current_app._get_current_object()  # type: ignore[no-any-return]


def this_g() -> _AppCtxGlobals:
    """The current app context's `g`."""
    ctx = _cv_app.get(None) if _cv_app is not None else None
    return ctx.g if ctx is not None else g._get_current_object()  # type: ignore[no-any-return]


def request_g() -> Any:
    """The current `g` while a request is being handled, else None: `in_request()` and then
    `this_g()` in one call."""
    if _cv_request is None:  # pragma: no cover
        return this_g() if in_request() else None
    if _cv_request.get(None) is None:
        return None
    ctx = _cv_app.get(None)
    return ctx.g if ctx is not None else g._get_current_object()


def app_context_id() -> int:
    """The id of the current app context: the scope of Flask-SQLAlchemy's session."""
    ctx = _cv_app.get(None) if _cv_app is not None else None
    if ctx is None:
        from flask.globals import app_ctx

        return id(app_ctx._get_current_object())
    return id(ctx)


def this_request() -> Request:
    """The current request (`request`'s object)."""
    ctx = _cv_request.get(None) if _cv_request is not None else None
    return ctx.request if ctx is not None else request._get_current_object()  # type: ignore[no-any-return]


def this_session() -> Any:
    """The current request's session (`session`'s object)."""
    ctx = _cv_request.get(None) if _cv_request is not None else None
    return ctx.session if ctx is not None else session._get_current_object()


def in_request() -> bool:
    """Whether a request context is active (`flask.has_request_context`)."""
    if _cv_request is None:  # pragma: no cover
        from flask import has_request_context

        return has_request_context()
    return _cv_request.get(None) is not None


def has_flashes() -> bool:
    """Whether `flask.get_flashed_messages()` has any message for this request, without its
    proxy look-ups when the session holds none (it then remembers none, as Flask does)."""
    ctx = _cv_request.get(None) if _cv_request is not None else None
    if ctx is not None and getattr(ctx, "flashes", False) is None and (
            "_flashes" not in ctx.session):
        ctx.flashes = []
        return False
    return bool(get_flashed_messages())
