"""How the plugin behaves inside someone else's app: the strong-secret check that refuses to
serve the course with a weak SECRET_KEY, without ever blocking the host's own `flask` commands.

Outside the `flask` command (a WSGI server importing the app, a script) and under `flask run`,
registering the plugin with a weak secret raises. Under any other `flask` command the app loads
as usual (`flask db upgrade`, `flask routes`, the host's own commands); the plugin's own
`flask course ...` commands refuse by themselves (`course.cli`).
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from . import config as course_config

STANDALONE_HINT = ("Set the SECRET_KEY environment variable, or run `python -m course serve` "
                   "once to generate one in the instance folder.")


def secret_problem(app: Flask) -> str | None:
    """Why the app's SECRET_KEY may not serve the course, or None (debug and testing pass)."""
    if app.debug or app.testing:
        return None
    if course_config.is_strong_secret(app.config.get("SECRET_KEY")):
        return None
    minimum = course_config.STRONG_SECRET_MIN_LENGTH
    if app.import_name == "course":  # the standalone site (`course.create_app`)
        return ("refusing to start: SECRET_KEY is missing, weak or published (it needs at "
                f"least {minimum} random characters of your own). {STANDALONE_HINT}")
    return ("the course plugin refuses to serve: your app's SECRET_KEY is missing, weak or "
            "published, and it signs the sessions and links the course relies on. Set "
            f"SECRET_KEY in your app's config to at least {minimum} random characters of your "
            "own, read from the environment or a secrets store (for example "
            "app.config['SECRET_KEY'] = os.environ['SECRET_KEY']; make one with "
            "`python -c \"import secrets; print(secrets.token_urlsafe(48))\"`). Your own "
            "`flask` commands still run; debug and testing apps are not checked.")


def host_cli_command() -> bool:
    """True while the `flask` command loads the app for a command other than `flask run`
    (`flask db upgrade`, `flask routes`, ...)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None or not isinstance(ctx.find_root().command, FlaskGroup):
        return False
    return ctx.info_name != "run"
