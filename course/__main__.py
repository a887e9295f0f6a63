"""`python -m course serve`: first-run setup and a local server for the standalone site.

On first run it writes a random SECRET_KEY into the instance folder, applies the migrations,
creates a first administrator (printing how to log in) and serves on 127.0.0.1:$PORT.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from click.testing import CliRunner


def ensure_secret(instance: Path) -> None:
    """Create `instance/secret_key` with a random key unless SECRET_KEY is set or it exists."""
    from .app import SECRET_FILE

    path = instance / SECRET_FILE
    if os.environ.get("SECRET_KEY") or path.exists():
        return
    instance.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(48))
    print(f"Generated a secret key in {path}")


def _run_cli(app, *args: str) -> None:  # noqa: ANN001
    result = CliRunner().invoke(app.cli, list(args), catch_exceptions=False)
    sys.stdout.write(result.output)
    if result.exit_code:
        raise SystemExit(result.exit_code)


def where_emails_go(config: Mapping[str, Any]) -> str:
    """One line for the console: where invitations, resets and reminders are delivered."""
    server = config.get("COURSE_MAIL_SERVER")
    if server:
        return f"Emails are sent through {server}:{config['COURSE_MAIL_PORT']}."
    return ("Emails are not sent (COURSE_MAIL_SERVER is not set): each one is printed here in "
            "full, links included. Set COURSE_MAIL_SERVER to deliver them.")


def serve(host: str, port: int) -> None:
    """Prepare the instance folder and database, then serve until interrupted."""
    from .app import create_app, default_instance_path

    instance = default_instance_path()
    ensure_secret(instance)
    app = create_app(instance_path=instance)
    from .ops import configure_logging

    configure_logging(app)
    _run_cli(app, "course", "db", "upgrade")
    _run_cli(app, "course", "ensure-admin")
    print(where_emails_go(app.config), flush=True)
    print(f"Serving the course at http://{host}:{port}/  (Ctrl+C stops it)", flush=True)
    app.run(host=host, port=port, debug=False, use_reloader=False, threaded=True)


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m course")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("serve", help="set up on first run and serve on 127.0.0.1")
    run.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    run.add_argument("--port", type=int, default=int(os.environ.get("PORT", "5000")))
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args.host, args.port)


if __name__ == "__main__":
    main()
