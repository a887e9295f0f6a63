"""The reference page of performance.md: bare Flask serving a cached 20 KB Jinja page.

Every page benchmark is reported as a ratio against this, measured in the same run, because
absolute speed differs from machine to machine. `floor` is the second reference: the least any
logged-in page pays.
"""

import os
import sqlite3
import threading

from flask import Flask
from flask_login import LoginManager, UserMixin, current_user, login_user

PARAGRAPH = ("<p>Building a useful network takes steady, patient work over months; what matters "
             "is who you reach and what you share, not the count.</p>\n")
PAGE = ("<!doctype html><html lang=\"en\"><head><title>{{ title }}</title></head><body><main>"
        + PARAGRAPH * (20_000 // len(PARAGRAPH)) + "</main></body></html>")

app = Flask(__name__)
TEMPLATE = app.jinja_env.from_string(PAGE)


@app.route("/")
def page() -> str:
    """The 20 KB page, rendered from a compiled template."""
    return TEMPLATE.render(title="Reference")


# The floor any logged-in Flask page pays: bare Flask + Flask-Login (the session cookie) + one
# SQLite read to load the user, serving the same cached page.
floor = Flask(__name__)
floor.secret_key = "bench floor key, not a secret"
FLOOR_TEMPLATE = floor.jinja_env.from_string(PAGE)
FLOOR_DB = os.environ.get("BENCH_FLOOR_DB", "/tmp/bench-floor.db")
logins = LoginManager(floor)


class FloorUser(UserMixin):
    def __init__(self, user_id: str, name: str) -> None:
        self.id, self.name = user_id, name


def _connection() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = sqlite3.connect(FLOOR_DB)
    return conn


_local = threading.local()


@logins.user_loader
def _load(user_id: str) -> FloorUser | None:
    row = _connection().execute("SELECT id, name FROM users WHERE id = ?", (user_id,)).fetchone()
    return FloorUser(str(row[0]), row[1]) if row else None


@floor.route("/login")
def floor_login() -> str:
    login_user(FloorUser("1", "Bench"))
    return "ok"


@floor.route("/")
def floor_page() -> str:
    """The 20 KB page for a logged-in user (the user is loaded from SQLite on each request)."""
    if not current_user.is_authenticated:
        return "log in first", 401
    return FLOOR_TEMPLATE.render(title=current_user.name)


def make_floor_db(path: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT OR REPLACE INTO users VALUES (1, 'Bench')")
    conn.commit()
    conn.close()
