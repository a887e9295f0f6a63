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


def test_flashed_messages_are_seen_and_still_shown() -> None:
    from flask import flash, get_flashed_messages

    app = _app()
    with app.test_request_context("/"):
        assert ctx.has_flashes() is False and get_flashed_messages() == []
    with app.test_request_context("/"):
        flash("Saved.")
        assert ctx.has_flashes() is True
        assert get_flashed_messages() == ["Saved."]  # still there for the template


def test_login_required_behaves_as_flask_login_s() -> None:
    """The plugin's `login_required`: a visitor goes to the login manager's `unauthorized`
    (with its `next`), OPTIONS and LOGIN_DISABLED let through, a signed-in user gets the view,
    run through the app's `ensure_sync` (which makes an async view callable)."""
    from flask_login import LoginManager, UserMixin, login_user

    from course.identity import login_required

    app = _app()
    manager = LoginManager(app)
    manager.login_view = "login"

    class Someone(UserMixin):
        id = "7"

    manager.user_loader(lambda user_id: Someone() if user_id == "7" else None)
    app.add_url_rule("/login", "login", lambda: "log in")
    app.add_url_rule("/sign", "sign", lambda: login_user(Someone()) and "in")
    def page_view() -> str:
        return "the page"

    app.add_url_rule("/page", "page", login_required(page_view), methods=["GET", "OPTIONS"])
    synced: list[str] = []  # the undecorated view, each time it is run
    ensure_sync = app.ensure_sync
    app.ensure_sync = lambda f: (  # type: ignore[method-assign]
        synced.append("view") if f is page_view else None) or ensure_sync(f)
    client = app.test_client()
    visitor = client.get("/page")
    assert visitor.status_code == 302 and visitor.headers["Location"].startswith(
        "/login?next=")
    assert client.options("/page").status_code == 200
    app.config["LOGIN_DISABLED"] = True
    assert client.get("/page").get_data(as_text=True) == "the page"
    app.config["LOGIN_DISABLED"] = False
    client.get("/sign")
    assert client.get("/page").get_data(as_text=True) == "the page"
    assert synced.count("view") == 3  # each run of the view (not the visitor's) went through it


def test_the_standalone_app_remembers_plain_functions_only() -> None:
    """`StandaloneApp.ensure_sync` gives a plain function back as Flask does (remembering it
    is plain), still hands an async one to Flask every time, and takes unhashable callables."""
    from flask import Flask

    from course.app import StandaloneApp

    app = StandaloneApp(__name__)

    def view() -> str:
        return "plain"

    async def later() -> str:
        return "async"

    class Unhashable:
        __hash__ = None  # type: ignore[assignment]

        def __call__(self) -> str:
            return "callable"

    assert app.ensure_sync(view) is view and app.ensure_sync(view) is view
    odd = Unhashable()
    assert app.ensure_sync(odd) is odd
    for _ in range(2):  # as Flask says each time: an async view needs its async extra here
        try:
            wrapped = Flask.ensure_sync(app, later)
        except RuntimeError as flask_says:
            with pytest.raises(RuntimeError, match=str(flask_says)[:20]):
                app.ensure_sync(later)
        else:
            assert app.ensure_sync(later) is not later and callable(wrapped)


def test_request_g_is_g_only_in_a_request() -> None:
    app = Flask(__name__)
    with app.app_context():
        assert ctx.request_g() is None
    with app.test_request_context():
        assert ctx.request_g() is g._get_current_object()
