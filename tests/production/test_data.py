"""Data protection: a learner downloads their data and closes their account (certificates stay
verifiable as issued to a closed account); administrators export and import the whole
database, from SQLite to PostgreSQL and back, exactly."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from course import create_app
from course.certificates.models import Certificate
from course.db import session
from course.lessons.models import LessonProgress
from course.migrate import upgrade
from course.quizzes.models import QuizAttempt
from tests.certificates.test_issue_verify import admin_client, issued
from tests.conftest import PG_URL, TEST_SECRET, Site, csrf_token, fresh_pg_schema, login
from tests.orgs.fixtures import Orgs


def test_a_learner_downloads_their_data(course_site: Site) -> None:
    client, certificate = issued(course_site)
    response = client.get(course_site.url("/privacy/my-data.json"))
    assert response.headers["Content-Disposition"] == 'attachment; filename="my-data.json"'
    data = json.loads(response.data)
    name = "Lea Learner" if course_site.mode == "standalone" else "Bob Host"
    assert data["profile"]["name"] == name and data["profile"]["email"]
    assert len(data["lesson_progress"]) >= 14 and len(data["quiz_attempts"]) == 4
    [cert] = data["certificates"]
    assert cert["code"] == certificate.code and "pdf" not in cert
    other = course_site.trainer_client().get(course_site.url("/privacy/my-data.json"))
    assert certificate.code not in other.get_data(as_text=True)


@pytest.mark.parametrize("keep_name", [False, True])
def test_closing_an_account_keeps_certificates_verifiable(course_site: Site,
                                                          keep_name: bool) -> None:
    site = course_site
    client, certificate = issued(site)
    page = site.url("/privacy/")
    token = csrf_token(client, page)
    wrong = client.post(site.url("/privacy/close"), data={"csrf_token": token,
                                                          "confirm": "close"})
    assert wrong.status_code == 400 and "in capitals" in wrong.get_data(as_text=True)
    form = {"csrf_token": token, "confirm": "CLOSE", **({"keep_name": "y"} if keep_name else {})}
    assert client.post(site.url("/privacy/close"), data=form).status_code == 302
    with site.app.app_context():
        db = session()
        assert db.scalar(select(func.count()).select_from(LessonProgress)) == 0
        assert db.scalar(select(func.count()).select_from(QuizAttempt)) == 0
        kept = db.scalar(select(Certificate))
        assert kept.holder_closed and kept.pdf == b"" and kept.user_id.startswith("closed-")
        assert "name" not in kept.snapshot
        assert kept.name == (certificate.name if keep_name else "")
    html = site.client().get(site.url(f"/verify/{certificate.code}")).get_data(as_text=True)
    assert "This certificate is valid." in html
    assert "an account that has since been closed" in html
    assert (certificate.name in html) == keep_name
    pdf_check = site.client()
    token = csrf_token(pdf_check, site.url("/verify/check"))
    import io

    result = pdf_check.post(site.url("/verify/check"), data={
        "csrf_token": token, "pdf": (io.BytesIO(certificate.pdf), "c.pdf")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "authentic, unaltered certificate" in result  # the hash outlives the file
    if site.mode == "standalone":
        assert login(site.client(), "learner@example.com",
                     "correct horse battery").status_code == 401  # the account is gone


def test_the_last_administrator_cannot_close_their_account(standalone_course_site: Site) -> None:
    admin = admin_client(standalone_course_site)
    token = csrf_token(admin, "/privacy/")
    page = admin.post("/privacy/close", data={"csrf_token": token, "confirm": "CLOSE"},
                      follow_redirects=True).get_data(as_text=True)
    assert "only administrator" in page
    assert login(standalone_course_site.client(), "root@example.com",
                 "an admin password").status_code == 302


@pytest.fixture
def pg_schema() -> Iterator[str]:
    if not PG_URL:
        pytest.skip("COURSE_TEST_DATABASE_URL is not set")
    with fresh_pg_schema("x_") as url:
        yield url


def _app(url: str, tmp: Path):  # noqa: ANN202
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    return create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET,
                       "SQLALCHEMY_DATABASE_URI": url}, instance_path=tmp)


def _cli(app, *args: str) -> str:  # noqa: ANN001
    result = app.test_cli_runner().invoke(args=["course", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_export_then_import_reproduces_the_data_across_engines(
        orgs: Orgs, pg_schema: str, tmp_path: Path) -> None:
    site = orgs.site
    if site.mode != "standalone" or "sqlite" not in site.app.config["SQLALCHEMY_DATABASE_URI"]:
        pytest.skip("the source here is the standalone SQLite site")
    issued(site)  # a learner with progress, attempts and a certificate (PDF bytes)
    orgs.add_member("acme", "ana@acme.example", "Ana Lima", team="Sales")
    first = tmp_path / "from-sqlite.json.gz"
    out = _cli(site.app, "export-data", str(first))
    assert "course_certificate: 1 row(s)" in out
    postgres = _app(pg_schema, tmp_path / "pg")
    assert "imported" in _cli(postgres, "import-data", str(first))
    second = tmp_path / "from-postgres.json"
    _cli(postgres, "export-data", str(second))
    back = _app(f"sqlite:///{tmp_path / 'back.db'}", tmp_path / "back")
    _cli(back, "import-data", str(second))
    third = tmp_path / "back-again.json"
    _cli(back, "export-data", str(third))
    from course.datatransfer import read

    original, via_pg, round_trip = read(first), read(second), read(third)
    assert original == via_pg == round_trip
    assert sum(len(rows) for rows in original["tables"].values()) >= 40
    # New rows after an import get fresh ids (the PostgreSQL sequences moved on).
    with postgres.app_context():
        from course.orgs import services

        services.create_org(session(), "fresh", "Fresh Ltd")
        session().commit()
    # Importing into a database that has data is refused, and changes nothing.
    result = postgres.test_cli_runner().invoke(args=["course", "import-data", str(first)])
    assert result.exit_code != 0 and "not empty" in result.output
    for app in (postgres, back):
        with app.app_context():
            app.extensions["course"].db.engine.dispose()
