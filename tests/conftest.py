"""Fixtures: fresh apps (standalone and mounted in a host), on SQLite and PostgreSQL, a real SMTP
server on loopback, and helpers that submit forms the way a browser does (with the CSRF token)."""

from __future__ import annotations

import atexit
import os
import re
import shutil
import socket
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.stats import capstone_optional
from course import create_app, migrate
from course.content import find_content_root
from tests.hostapp import Staff, create_host_app, create_host_tables
from tests.hostapp import db as host_db


def _sample_with_optional_capstone() -> str:
    """A copy of the sample content whose capstone is optional, for the suite (made once per
    test process, removed at its exit).

    The shipped course requires its capstone: the certificate needs a plan a trainer approved.
    Most tests finish the course in a few requests and are about something else, so every app
    the suite starts (its own, the host's and those in subprocesses, through the environment)
    serves this copy unless the test chooses content itself; the tests of the capstone
    requirement (tests/capstone, tests/certificates/test_required_capstone.py) use the shipped
    course or their own."""
    root = Path(tempfile.mkdtemp(prefix="course-suite-content-"))
    atexit.register(shutil.rmtree, root, True)
    return str(capstone_optional(root, find_content_root(None)))


#: What the suite's apps serve (see `_sample_with_optional_capstone`); SHIPPED is the course as
#: it ships.
SHIPPED_CONTENT = find_content_root(None)
if not os.environ.get("COURSE_CONTENT_ROOT"):
    os.environ["COURSE_CONTENT_ROOT"] = _sample_with_optional_capstone()
SUITE_CONTENT = Path(os.environ["COURSE_CONTENT_ROOT"])
PG_URL = os.environ.get("COURSE_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
TEST_SECRET = "test-secret-key-" + "k" * 40
#: Organisation fixtures (`orgs`) for the org tests and the browser journeys.
pytest_plugins = ["tests.orgs.fixtures", "tests.getguard"]

FAST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": TEST_SECRET,
    # Links in emails come from the configured address, never the request: the test client's.
    "COURSE_BASE_URL": "http://localhost",
}


# ---------------------------------------------------------------- templates
class _SharedBytecode(BytecodeCache):
    """Compiled templates shared by every app this test process creates (each test makes a
    fresh app, whose Jinja environment would compile every template again). Jinja checks each
    entry against its template's source, so a test that overrides a template gets its own."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if (code := self.store.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


_SHARED_BYTECODE = _SharedBytecode()
_create_jinja_environment = Flask.create_jinja_environment


def _jinja_environment_with_shared_bytecode(self: Flask) -> Any:
    env = _create_jinja_environment(self)
    env.bytecode_cache = _SHARED_BYTECODE
    return env


Flask.create_jinja_environment = _jinja_environment_with_shared_bytecode


# ---------------------------------------------------------------- the matrix
#: COURSE_TEST_FULL_MATRIX=1 runs every view test on all four pairs of site and database.
FULL_MATRIX = os.environ.get("COURSE_TEST_FULL_MATRIX", "") not in ("", "0")
#: Parameters paired with the database: (name, the value that runs on SQLite; the other runs
#: on PostgreSQL). Flask-Migrate set up before or after the plugin does not depend on it either,
#: nor the security log's format.
PAIRED = {"site": "standalone", "order": "before", "log_format": "text"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A view test runs on both sites and both databases, paired: standalone on SQLite and
    mounted under /training on PostgreSQL (what a mount changes, the URLs and the host's
    layout, does not depend on the database, nor SQL on the mount). Where PostgreSQL is
    missing, or a test runs on one database only, both sites run on what there is. The same
    for a host's Flask-Migrate set up before or after the plugin and the security log's
    format (`PAIRED`)."""
    if FULL_MATRIX or len(BACKENDS) < 2:
        return
    engines: dict[tuple[str, str], set[str]] = {}
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "backend" in params and PAIRED.keys() & params.keys():
            key = (item.parent.nodeid if item.parent else "", item.originalname)
            engines.setdefault(key, set()).add(params["backend"])
    kept, dropped = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        key = (item.parent.nodeid if item.parent else "", getattr(item, "originalname", ""))
        name = next((n for n in PAIRED if n in params), None)
        if (name and len(engines.get(key, ())) > 1
                and (params[name] == PAIRED[name]) != (params["backend"] == "sqlite")):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


# ---------------------------------------------------------------- databases
@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per session; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "course.db"
    engine = create_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


def _pg_schema_url(schema: str) -> str:
    """The test database with `schema` first on the search path. Commits do not wait for the
    server's disk (synchronous_commit off, for these sessions only): what another session sees
    is the same, only a crash of the server could lose them, and a test's data does not outlive
    it anyway; the suite's many schema migrations otherwise wait on a disk flush each."""
    url = make_url(PG_URL)
    return url.set(query={**url.query, "options": f"-csearch_path={schema} "
                          "-csynchronous_commit=off"}).render_as_string(hide_password=False)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@contextmanager
def fresh_pg_schema(prefix: str = "t_") -> Iterator[str]:
    """A URL for a new, empty PostgreSQL schema, dropped (with its connections) afterwards."""
    schema = prefix + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              f"WHERE pid <> pg_backend_pid() AND query LIKE '%{schema}%'"))
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def empty_db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it (a fresh SQLite file, or a fresh PostgreSQL schema)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'course.db'}"
        return
    with fresh_pg_schema() as url:
        yield url


@pytest.fixture
def db_url(backend: str, empty_db_url: str, sqlite_template: Path) -> str:
    """A database with the plugin's migrations applied."""
    if backend == "sqlite":
        shutil.copyfile(sqlite_template, make_url(empty_db_url).database)
    else:
        engine = create_engine(empty_db_url)
        migrate.upgrade(engine)
        engine.dispose()
    return empty_db_url


# ---------------------------------------------------------------- email
@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[Message] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[Message]:
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.messages) >= count, timeout)
        return list(self.messages)

    def clear(self) -> None:
        self.messages.clear()


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.box._arrived:
            self.box.messages.append(message_from_bytes(envelope.content))
            self.box._arrived.notify_all()
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on loopback for the whole session."""
    from aiosmtpd.controller import Controller

    box = Mailbox("127.0.0.1", free_port())
    controller = Controller(_Handler(box), hostname=box.host, port=box.port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture
def mailbox(smtp_server: Mailbox) -> Mailbox:
    smtp_server.clear()
    return smtp_server


# ---------------------------------------------------------------- apps
def standalone_config(db_url: str, mailbox: Mailbox | None = None, **extra: Any) -> dict:
    config = {**FAST_CONFIG, "SQLALCHEMY_DATABASE_URI": db_url}
    if mailbox is not None:
        config.update(COURSE_MAIL_SERVER=mailbox.host, COURSE_MAIL_PORT=mailbox.port)
    config.update(extra)
    return config


def _finish(app: Flask) -> None:
    app.extensions["course"].tasks.join_all()
    with app.app_context():
        app.extensions["course"].db.session.remove()
        for engine in app.extensions["course"].db.engines.values():
            engine.dispose()


@pytest.fixture
def make_app(db_url: str, tmp_path: Path) -> Iterator[Any]:
    """Build standalone apps with extra config on the test's database; all disposed after."""
    apps: list[Flask] = []

    def make(mailbox: Mailbox | None = None, *, instance: str = "instance",
             raw: dict[str, Any] | None = None, **extra: Any) -> Flask:
        """`raw` replaces the test configuration (only the database URL is added to it)."""
        config = (standalone_config(db_url, mailbox, **extra) if raw is None
                  else {"SQLALCHEMY_DATABASE_URI": db_url, **raw})
        apps.append(create_app(config, instance_path=tmp_path / instance))
        return apps[-1]

    yield make
    for app in apps:
        _finish(app)


@pytest.fixture
def standalone_app(db_url: str, mailbox: Mailbox, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(standalone_config(db_url, mailbox), instance_path=tmp_path / "instance")
    yield app
    _finish(app)


@pytest.fixture
def host_app(db_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_host_app(db_url)
    create_host_tables(app)
    with app.app_context():
        host_db.session.add_all([
            Staff(email="ada@host.example", name="Ada Host", is_trainer=True),
            Staff(email="bob@host.example", name="Bob Host"),
        ])
        host_db.session.commit()
    yield app
    _finish(app)


@dataclass
class Site:
    """An app under test plus where the plugin lives in it and how a user logs in."""

    app: Flask
    mode: str
    prefix: str

    def url(self, path: str) -> str:
        return self.prefix + path

    def client(self) -> FlaskClient:
        return self.app.test_client()

    def trainer_client(self) -> FlaskClient:
        """A client logged in as a trainer (Ada in the host app)."""
        client = self.client()
        if self.mode == "host":
            client.post("/login", data={"email": "ada@host.example"})
        else:
            self.app.test_cli_runner().invoke(
                args=["course", "create-user", "tia@example.com", "--role", "trainer",
                      "--name", "Tia Trainer"], input="a trainer password\n")
            assert login(client, "tia@example.com", "a trainer password").status_code == 302
        return client

    def logged_in_client(self) -> FlaskClient:
        client = self.client()
        if self.mode == "host":
            client.post("/login", data={"email": "bob@host.example"})
        else:
            register(client, email="learner@example.com", name="Lea Learner")
        return client


@pytest.fixture(params=["standalone", "host"])
def site(request: pytest.FixtureRequest, backend: str) -> Site:
    """Every view test runs twice: on the standalone app and mounted under /training."""
    if request.param == "standalone":
        return Site(request.getfixturevalue("standalone_app"), "standalone", "")
    return Site(request.getfixturevalue("host_app"), "host", "/training")


# ---------------------------------------------------------------- form helpers
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, page: str, **kwargs: Any) -> str:
    html = client.get(page, **kwargs).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def submit(client: FlaskClient, url: str, data: dict[str, Any], *, page: str | None = None,
           **kwargs: Any):
    """POST `data` to `url` with the CSRF token a browser would have got from `page`."""
    token = csrf_token(client, page or url,
                       **{k: v for k, v in kwargs.items() if k == "base_url"})
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


def register(client: FlaskClient, *, email: str = "learner@example.com",
             name: str = "Lea Learner", password: str = "correct horse battery", prefix: str = "",
             **kwargs: Any):
    response = submit(client, prefix + "/account/register",
                      {"display_name": name, "email": email, "password": password,
                       "confirm": password}, **kwargs)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def login(client: FlaskClient, email: str, password: str, *, remember: bool = False,
          next_url: str | None = None, prefix: str = "", **kwargs: Any):
    url = prefix + "/account/login" + (f"?next={next_url}" if next_url else "")
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return submit(client, url, data, page=prefix + "/account/login", **kwargs)


def logout(client: FlaskClient, *, page: str = "/catalogue"):
    return submit(client, "/account/logout", {}, page=page)


# ---------------------------------------------------------------- content copies


@pytest.fixture
def content_root(tmp_path: Path) -> Path:
    """A copy of the suite's sample content the test may edit."""
    root = tmp_path / "content"
    source = SUITE_CONTENT
    for name in ("lessons", "quizzes", "certificates"):
        shutil.copytree(source / name, root / name)
    return root


@pytest.fixture
def course_site(site: Site, content_root: Path) -> Site:
    """The site (standalone or mounted) serving the private content copy."""
    site.app.config["COURSE_CONTENT_ROOT"] = str(content_root)
    return site


def sample_lesson_count(course: str = "social-divide") -> int:
    """How many published lessons the sample course has (it grows; tests should not guess)."""
    from course.content.catalog import load_catalog

    info = load_catalog(find_content_root(None)).get(course)
    return sum(1 for lesson in info.lessons if not lesson.draft)


def sample_module_lessons(module: str, course: str = "social-divide") -> list[str]:
    """The slugs of a sample module's published lessons, in order (modules gain lessons)."""
    from course.content.catalog import load_catalog

    info = load_catalog(find_content_root(None)).get(course)
    return [lesson.slug for lesson in info.module(module).lessons if not lesson.draft]


@pytest.fixture
def standalone_course_site(standalone_app: Flask, content_root: Path) -> Site:
    """The standalone site serving a private content copy (for admin-only pages)."""
    standalone_app.config["COURSE_CONTENT_ROOT"] = str(content_root)
    return Site(standalone_app, "standalone", "")
