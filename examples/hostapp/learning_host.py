"""A small company intranet written the usual Flask way (Flask-SQLAlchemy, Flask-Login,
Flask-Migrate, Flask-WTF's CSRF protection, its own base template), with the course mounted at
/learning. See docs/integrating.md; the test suite runs this app (tests/test_example_app.py).

    export SECRET_KEY=$(python -c "import secrets; print(secrets.token_urlsafe(48))")
    flask --app learning_host db upgrade          # the intranet's own tables
    flask --app learning_host course db upgrade   # the course's tables
    flask --app learning_host run --debug
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, flash, redirect, render_template, request, url_for
from flask_login import (
    LoginManager,
    UserMixin,
    login_required,
    login_user,
    logout_user,
)
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from course import CoursePlugin

HERE = Path(__file__).resolve().parent


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()


class Account(db.Model, UserMixin):
    """The intranet's own users: the course never touches this table."""

    __tablename__ = "account"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20), default="staff")  # staff, trainer, admin


#: The intranet's roles as the course's roles (learner, trainer, manager, admin).
COURSE_ROLES = {"staff": {"learner"}, "trainer": {"learner", "trainer"}, "admin": {"admin"}}


def course_roles(user: Account) -> set[str]:
    return COURSE_ROLES.get(user.role, {"learner"})


course = CoursePlugin(roles=course_roles, display_name=lambda user: user.name)


@login_manager.user_loader
def load_user(user_id: str) -> Account | None:
    return db.session.get(Account, int(user_id))


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(HERE / "instance"))
    app.config.update(
        SECRET_KEY=os.environ.get("SECRET_KEY"),
        SQLALCHEMY_DATABASE_URI=os.environ.get(
            "DATABASE_URL", f"sqlite:///{HERE / 'instance' / 'intranet.db'}"),
        COURSE_SITE_NAME="Intranet Learning",
        COURSE_BASE_URL=os.environ.get("BASE_URL", "http://127.0.0.1:5000"),
    )
    app.config.update(config or {})
    db.init_app(app)
    migrate.init_app(app, db, directory=str(HERE / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "login"
    course.init_app(app, url_prefix="/learning", db=db)
    app.add_url_rule("/", view_func=home)
    app.add_url_rule("/register", view_func=register, methods=["GET", "POST"])
    app.add_url_rule("/login", view_func=login, methods=["GET", "POST"])
    app.add_url_rule("/logout", view_func=logout, methods=["POST"])
    return app


def home() -> str:
    return render_template("home.html")


def register() -> object:
    if request.method == "POST":
        email = request.form.get("email", "").strip().lower()
        name = request.form.get("name", "").strip()
        password = request.form.get("password", "")
        if not email or not name or len(password) < 10:
            flash("Give your name, your email and a password of at least 10 characters.")
        elif db.session.scalar(db.select(Account).filter_by(email=email)):
            flash("That email already has an account: log in instead.")
        else:
            user = Account(email=email, name=name,
                           password_hash=generate_password_hash(password))
            db.session.add(user)
            db.session.commit()
            login_user(user)
            return redirect(url_for("home"))
    return render_template("register.html")


def login() -> object:
    if request.method == "POST":
        user = db.session.scalar(
            db.select(Account).filter_by(email=request.form.get("email", "").strip().lower()))
        if user and check_password_hash(user.password_hash, request.form.get("password", "")):
            login_user(user)
            target = request.args.get("next", "")
            # Only a path on this site (the course sends people here with next=/learning/...).
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("home")
            return redirect(target)
        flash("Wrong email or password.")
    return render_template("login.html")


@login_required
def logout() -> object:
    logout_user()
    return redirect(url_for("home"))
