"""Mounted in a host app: mail goes through the host's Flask-Mail / Flask-Mailman or a
`send_mail` hook; the host's SQLite engine gets no pragmas unless it asks; a weak secret never
blocks the host's own `flask` commands; the blueprint name is an option and a clash is reported
before anything is registered."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Blueprint, Flask
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import text

from course import CoursePlugin
from course.db import session
from course.errors import CourseConfigError
from course.orgs import services
from course.orgs.models import MANAGER
from tests.conftest import Mailbox, _finish, submit
from tests.hostapp import Staff, create_host_app, create_host_tables
from tests.hostapp import db as host_db

ROOT = Path(__file__).resolve().parents[1]
SENT: list[EmailMessage] = []


def remember_mail(msg: EmailMessage) -> None:
    """A host's own hook, named by import path in COURSE_SEND_MAIL."""
    SENT.append(msg)


def invite(app: Flask, email: str = "newbie@acme.example") -> None:
    """Bob manages Acme in the host and invites a colleague through the members page."""
    with app.app_context():
        boss = Staff(email="boss@acme.example", name="Acme Boss")
        host_db.session.add(boss)
        host_db.session.commit()
        org = services.create_org(session(), "acme", "Acme Ltd")
        services.add_member(session(), org, user_id=str(boss.id), name="Acme Boss",
                            email="boss@acme.example", role=MANAGER)
        session().commit()
    client = app.test_client()
    client.post("/login", data={"email": "boss@acme.example"})
    response = submit(client, "/training/org/members", {"email": email, "team": "Sales"})
    assert response.status_code == 302, response.get_data(as_text=True)
    app.extensions["course"].tasks.join_all()


@pytest.fixture
def mounted(db_url: str):  # noqa: ANN201
    apps: list[Flask] = []

    def make(**config: object) -> Flask:
        app = create_host_app(db_url, dict(config))
        create_host_tables(app)
        apps.append(app)
        return app

    yield make
    for app in apps:
        _finish(app)


def _invitation_link(body: str) -> str:
    return re.search(r"http://localhost(/training/invitations/\S+)", body).group(1)


# ------------------------------------------------------------------ mail
def test_the_hosts_flask_mail_sends_the_invitation(mounted, mailbox: Mailbox) -> None:  # noqa: ANN001
    from flask_mail import Mail

    app = mounted(MAIL_SERVER=mailbox.host, MAIL_PORT=mailbox.port, MAIL_SUPPRESS_SEND=False,
                  MAIL_DEFAULT_SENDER=("Host Corp", "learning@host.example"))
    Mail(app)  # after the plugin, as hosts often do
    invite(app)
    [message] = mailbox.wait_for(1)
    assert message["To"] == "newbie@acme.example"
    assert "learning@host.example" in message["From"]  # the host's sender
    body = message.get_payload(decode=True).decode()
    assert app.test_client().get(_invitation_link(body)).status_code in (200, 302)


def test_the_hosts_flask_mailman_sends_the_invitation(mounted, mailbox: Mailbox) -> None:  # noqa: ANN001
    from flask_mailman import Mail

    app = mounted(MAIL_SERVER=mailbox.host, MAIL_PORT=mailbox.port, MAIL_BACKEND="smtp",
                  MAIL_DEFAULT_SENDER="learning@host.example",
                  COURSE_MAIL_SENDER="Host Academy <academy@host.example>")
    Mail(app)
    invite(app)
    [message] = mailbox.wait_for(1)
    assert message["To"] == "newbie@acme.example"
    assert message["From"] == "Host Academy <academy@host.example>"  # the host chose ours
    assert "/training/invitations/" in message.get_payload(decode=True).decode()


def test_a_send_mail_hook_gets_the_message_with_its_attachment(mounted, mailbox: Mailbox) -> None:  # noqa: ANN001
    from flask_mail import Mail

    SENT.clear()
    app = mounted(COURSE_SEND_MAIL="tests.test_host_integration:remember_mail",
                  MAIL_SERVER=mailbox.host, MAIL_PORT=mailbox.port, MAIL_SUPPRESS_SEND=False)
    Mail(app)  # the hook comes first
    invite(app)
    [msg] = SENT
    assert isinstance(msg, EmailMessage) and msg["To"] == "newbie@acme.example"
    assert "/training/invitations/" in msg.get_body(("plain",)).get_content()
    assert mailbox.messages == []
    # Attachments reach the hook whole (a certificate's PDF goes this way).
    with app.app_context():
        from course.mail import build_message, send

        got: list[EmailMessage] = []
        app.config["COURSE_SEND_MAIL"] = got.append
        pdf = build_message(app.config, "lea@host.example", "Your certificate", "Attached.")
        pdf.add_attachment(b"%PDF-1.7 test", maintype="application", subtype="pdf",
                           filename="certificate.pdf")
        send(app.config, pdf)
    [part] = got[0].iter_attachments()
    assert part.get_filename() == "certificate.pdf"
    assert part.get_content() == b"%PDF-1.7 test"


def test_attachments_go_through_flask_mail(
        mounted, mailbox: Mailbox) -> None:  # noqa: ANN001
    from flask_mail import Mail

    app = mounted(MAIL_SERVER=mailbox.host, MAIL_PORT=mailbox.port, MAIL_SUPPRESS_SEND=False)
    Mail(app)
    with app.app_context():
        from course.mail import build_message, send

        msg = build_message(app.config, "lea@host.example", "Your certificate", "Attached.")
        msg.add_attachment(b"%PDF-1.7 test", maintype="application", subtype="pdf",
                           filename="certificate.pdf")
        send(app.config, msg)
    [message] = mailbox.wait_for(1)
    parts = [p for p in message.walk() if p.get_filename() == "certificate.pdf"]
    assert parts and parts[0].get_payload(decode=True) == b"%PDF-1.7 test"


# ------------------------------------------------------------------ the host's engine
def _pragmas(app: Flask) -> tuple[int, str]:
    with app.app_context():
        with app.extensions["sqlalchemy"].engine.connect() as conn:
            return (conn.execute(text("PRAGMA foreign_keys")).scalar(),
                    conn.execute(text("PRAGMA journal_mode")).scalar())


def test_the_hosts_sqlite_engine_is_left_alone(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'host.db'}"
    plain = create_host_app(url)
    assert _pragmas(plain) == (0, "delete")
    _finish(plain)
    asked = create_host_app(url, {"COURSE_SQLITE_PRAGMAS": True})
    assert _pragmas(asked) == (1, "wal")
    _finish(asked)


def test_the_standalone_site_keeps_its_pragmas(make_app, backend: str) -> None:  # noqa: ANN001
    if backend != "sqlite":
        pytest.skip("SQLite pragmas")
    assert _pragmas(make_app()) == (1, "wal")


# ------------------------------------------------------------------ the secret check
WEAK_HOST = '''
from flask import Flask
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from course import CoursePlugin

app = Flask("weakhost")
app.config.update(SECRET_KEY="dev", SQLALCHEMY_DATABASE_URI="sqlite:///{db}")
db = SQLAlchemy(app)
LoginManager(app)
CoursePlugin(app, db=db, url_prefix="/learning")

@app.cli.command("hello")
def hello():
    print("host command ran")
'''


def _flask(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(ROOT)])
    return subprocess.run([sys.executable, "-m", "flask", "--app", "weakhost", *args],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_a_weak_secret_never_blocks_the_hosts_commands(tmp_path: Path) -> None:
    (tmp_path / "weakhost.py").write_text(WEAK_HOST.format(db=tmp_path / "host.db"))
    routes = _flask(tmp_path, "routes")
    assert routes.returncode == 0, routes.stderr
    assert "/learning/" in routes.stdout
    hello = _flask(tmp_path, "hello")
    assert hello.returncode == 0 and "host command ran" in hello.stdout, hello.stderr
    ours = _flask(tmp_path, "course", "db", "upgrade")
    assert ours.returncode != 0
    assert "Set SECRET_KEY in your app's config" in ours.stderr
    assert "python -m course serve" not in ours.stderr  # that advice is for the standalone site
    served = _flask(tmp_path, "run", "--port", "1")  # refuses before it binds
    assert served.returncode != 0 and "SECRET_KEY" in served.stderr


# ------------------------------------------------------------------ the blueprint's name
def _bare(config: dict | None = None) -> tuple[Flask, SQLAlchemy]:
    app = Flask("host")
    app.config.update({"SECRET_KEY": "host-secret-" + "x" * 40, "TESTING": True,
                       "SQLALCHEMY_DATABASE_URI": "sqlite://", **(config or {})})
    db = SQLAlchemy(app)
    LoginManager(app)
    return app, db


def test_a_blueprint_name_clash_registers_nothing() -> None:
    app, db = _bare()
    app.register_blueprint(Blueprint("course", __name__), url_prefix="/courses")
    extensions = set(app.extensions)
    before = (dict(app.before_request_funcs), dict(app.after_request_funcs),
              dict(app.template_context_processors), len(list(app.url_map.iter_rules())))
    with pytest.raises(CourseConfigError, match="COURSE_BLUEPRINT_NAME"):
        CoursePlugin(app, db=db, url_prefix="/learning")
    assert set(app.extensions) == extensions and "course" not in app.extensions
    assert list(app.blueprints) == ["course"]
    assert (dict(app.before_request_funcs), dict(app.after_request_funcs),
            dict(app.template_context_processors),
            len(list(app.url_map.iter_rules()))) == before
    assert not any(k.startswith("COURSE_") for k in app.config)


def test_a_renamed_blueprint_serves_every_link(db_url: str) -> None:
    app = create_host_app(db_url, {"COURSE_BLUEPRINT_NAME": "learning"},
                          url_prefix="/learning")
    create_host_tables(app)
    app.register_blueprint(Blueprint("course", __name__), url_prefix="/courses")  # the host's
    with app.app_context():
        host_db.session.add(Staff(email="bob@host.example", name="Bob Host"))
        host_db.session.commit()
    assert "learning.lessons.catalogue" in {r.endpoint for r in app.url_map.iter_rules()}
    client = app.test_client()
    client.post("/login", data={"email": "bob@host.example"})
    seen: set[str] = set()
    queue = ["/learning/"]
    while queue and len(seen) < 25:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code in (200, 302), (url, response.status_code)
        html = response.get_data(as_text=True)
        queue += [u for u in re.findall(r'href="(/learning/[^"#?]*)"', html)
                  if "/static/" not in u]
        for asset in re.findall(r'(?:src|href)="(/learning/static/[^"]+)"', html):
            assert client.get(asset).status_code == 200, asset
    assert any("/lessons/" in u or u.count("/") > 3 for u in seen)  # got past the catalogue
    with app.test_request_context("/"):
        from flask import render_template_string

        assert render_template_string(  # a host template, rename-proof
            "{{ course_url_for('course.lessons.index') }}") == "/learning/"
    _finish(app)


def test_the_send_mail_option_of_the_plugin(db_url: str) -> None:
    got: list[EmailMessage] = []
    app, db = _bare({"SQLALCHEMY_DATABASE_URI": db_url})
    CoursePlugin(app, db=db, send_mail=got.append)
    with app.app_context():
        from course.mail import build_message, send

        send(app.config, build_message(app.config, "lea@host.example", "Hello", "Body."))
    assert [m["Subject"] for m in got] == ["Hello"]
    _finish(app)


@pytest.mark.parametrize("problem", ["weak secret", "no login manager"])
def test_a_refused_registration_leaves_the_app_untouched(problem: str) -> None:
    app = Flask("host")
    app.config.update(SECRET_KEY="dev" if problem == "weak secret" else "host-secret-" + "x" * 40,
                      SQLALCHEMY_DATABASE_URI="sqlite://")
    if problem == "weak secret":
        LoginManager(app)
    extensions = set(app.extensions)
    with pytest.raises(CourseConfigError):
        CoursePlugin(app, url_prefix="/learning")  # it would make its own db
    assert set(app.extensions) == extensions and not app.blueprints
    assert not any(k.startswith("COURSE_") for k in app.config)
