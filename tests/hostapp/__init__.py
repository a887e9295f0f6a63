"""A small host application of our own, as a Flask developer would write one, with the course
plugin mounted under /training. Tests use it to prove every view works inside someone else's app:
its own users, its own Flask-SQLAlchemy `db`, its own log-in page."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, redirect, request, url_for
from flask_login import LoginManager, UserMixin, login_user, logout_user
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from course import CoursePlugin


class HostBase(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=HostBase)


class Staff(db.Model, UserMixin):
    __tablename__ = "host_staff"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    is_trainer: Mapped[bool] = mapped_column(default=False)


def staff_roles(user: Staff) -> set[str]:
    return {"learner", "trainer"} if user.is_trainer else {"learner"}


plugin = CoursePlugin(roles=staff_roles, display_name=lambda u: u.name)


def create_host_app(database_url: str, config: dict[str, Any] | None = None,
                    url_prefix: str = "/training") -> Flask:
    app = Flask(__name__, template_folder=str(Path(__file__).parent / "templates"))
    app.config.update(SECRET_KEY="host-secret-" + "x" * 40, TESTING=True,
                      SQLALCHEMY_DATABASE_URI=database_url, COURSE_SITE_NAME="Host Corp Learning",
                      COURSE_BASE_URL="http://localhost")
    if os.environ.get("COURSE_CONTENT_ROOT"):  # the suite's content (tests/conftest.py)
        app.config["COURSE_CONTENT_ROOT"] = os.environ["COURSE_CONTENT_ROOT"]
    app.config.update(config or {})
    db.init_app(app)
    manager = LoginManager(app)
    manager.login_view = "host_login"

    @manager.user_loader
    def load(user_id: str) -> Staff | None:
        return db.session.get(Staff, int(user_id))

    @app.route("/")
    def home() -> str:
        return "host home"

    @app.route("/login", methods=["GET", "POST"])
    def host_login() -> Any:
        if request.method == "POST":
            user = db.session.scalar(db.select(Staff).filter_by(email=request.form["email"]))
            if user is None:
                return "no such staff", 401
            login_user(user)
            return redirect(request.args.get("next") or "/")
        return "host login page"

    @app.route("/logout")
    def host_logout() -> Any:
        logout_user()
        return redirect(url_for("home"))

    plugin.init_app(app, url_prefix=url_prefix, db=db)
    return app


def create_host_tables(app: Flask) -> None:
    """The host's own tables: the host's business, created its own way."""
    with app.app_context():
        HostBase.metadata.create_all(db.engine)
