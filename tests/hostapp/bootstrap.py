"""A host application whose pages come from a Flask-Bootstrap style base template (blocks named
`title`, `head` and `content`), with assets from a CDN (another origin) and an inline script, as
the two open-source hosts the course was tried in have. It replaces `course/layout.html` with
the short override the README shows, so the course's pages sit inside the host's own layout.

HOST_CDN (config) is the origin its base template loads `widget.js` from; HOST_OWN_CSP, when
set, is a policy the host sends on every page itself (its `{nonce}` filled with csp_nonce()).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, redirect, render_template, request, url_for
from flask.wrappers import Response
from flask_login import LoginManager, login_user, logout_user

from course import CoursePlugin
from course.headers import csp_nonce
from tests.hostapp import Staff, db

TEMPLATES = Path(__file__).parent / "bootstrap_templates"


def create_bootstrap_host(database_url: str, config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(TEMPLATES))
    app.config.update(SECRET_KEY="host-secret-" + "x" * 40, TESTING=True,
                      SQLALCHEMY_DATABASE_URI=database_url, COURSE_SITE_NAME="Intranet Academy",
                      COURSE_BASE_URL="http://localhost", HOST_CDN="http://127.0.0.1:9")
    app.config.update(config or {})
    db.init_app(app)
    manager = LoginManager(app)
    manager.login_view = "login"

    @manager.user_loader
    def load(user_id: str) -> Staff | None:
        return db.session.get(Staff, int(user_id))

    @app.route("/")
    def home() -> str:
        return render_template("home.html")

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        if request.method == "POST":
            user = db.session.scalar(db.select(Staff).filter_by(email=request.form["email"]))
            if user is None:
                return "no such staff", 401
            login_user(user)
            return redirect(request.args.get("next") or url_for("home"))
        return render_template("login.html")

    @app.route("/logout")
    def logout() -> Any:
        logout_user()
        return redirect(url_for("home"))

    @app.after_request
    def own_policy(response: Response) -> Response:
        policy = app.config.get("HOST_OWN_CSP")
        if policy:
            response.headers["Content-Security-Policy"] = policy.replace("{nonce}", csp_nonce())
        return response

    CoursePlugin(app, url_prefix="/learning", db=db,
                 roles=lambda user: {"learner", "trainer"} if user.is_trainer else {"learner"},
                 display_name=lambda user: user.name)
    return app
