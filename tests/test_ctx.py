"""`course.ctx`: the objects Flask's proxies stand for, read from its context variables, the
same as the proxies give (and, without those variables, from the proxies themselves)."""

from __future__ import annotations

import pytest
from flask import Flask, current_app, g, has_request_context, request, session

from course import ctx


def _app() -> Flask:
    app = Flask(__name__)
    app.secret_key = "a test key, long enough for a session cookie"
    return app


@pytest.mark.parametrize("variables", [True, False], ids=["context variables", "proxies"])
def test_the_objects_are_the_proxies_own(variables: bool, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    if not variables:
        monkeypatch.setattr(ctx, "_cv_app", None)
        monkeypatch.setattr(ctx, "_cv_request", None)
    app, other = _app(), _app()
    with app.app_context():
        assert ctx.this_app() is app and ctx.this_g() is g._get_current_object()
        assert ctx.in_request() is has_request_context() is False
        with other.test_request_context("/x"):  # the innermost context, as the proxies say
            assert ctx.this_app() is other is current_app._get_current_object()
            assert ctx.this_request() is request._get_current_object()
            assert ctx.this_request().path == "/x"
            assert ctx.this_g() is g._get_current_object()
            assert ctx.this_session() is session._get_current_object()
            assert ctx.in_request() is True
        assert ctx.this_app() is app


def test_outside_a_context_they_fail_as_the_proxies_do() -> None:
    for read in (ctx.this_app, ctx.this_g, ctx.this_request, ctx.this_session):
        with pytest.raises(RuntimeError):
            read()
    assert ctx.in_request() is False
