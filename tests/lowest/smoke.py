"""Run inside the lowest-versions venv (tests/lowest/test_lowest_versions.py): import the
plugin, build the standalone app, migrate, refuse a foreign Host, register, render a lesson,
render a certificate."""

from __future__ import annotations

import re
import secrets
import sys
import tempfile
from pathlib import Path

from course import create_app, migrate
from course.certificates.render import CertificateData, CertificateRenderer, Factor

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    app = create_app({"TESTING": True, "SECRET_KEY": secrets.token_urlsafe(48),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'course.db'}",
                      "COURSE_BASE_URL": "http://localhost"}, instance_path=tmp)
    with app.app_context():
        migrate.upgrade(app.extensions["course"].db.engine)
    client = app.test_client()
    # The standalone site answers only to its own address (Flask 3.0 too: course.compat).
    assert client.get("/catalogue", headers={"Host": "evil.example"}).status_code == 400
    form = client.get("/account/register").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    registered = client.post("/account/register", data={
        "csrf_token": token, "display_name": "Lea Learner", "email": "lea@example.com",
        "password": "correct horse battery", "confirm": "correct horse battery"})
    assert registered.status_code == 302, registered.get_data(as_text=True)
    catalogue = client.get("/catalogue").get_data(as_text=True)
    course = re.search(r'href="(/courses/[^"/]+/)"', catalogue).group(1)
    overview = client.get(course).get_data(as_text=True)
    lesson = re.search(r'href="(/courses/[^"]+/lessons/[^"]+)"', overview).group(1)
    page = client.get(lesson)
    assert page.status_code == 200 and "<h1" in page.get_data(as_text=True)
    pdf = CertificateRenderer(ROOT / "certificates" / "default").render(CertificateData(
        "Lea Learner", "The Social Divide", (Factor("Education", "85"),), "26 November 2026",
        None, "x7Kq2mP9vR4tW8yZ1bC5dF0gH3jL6nQ", "http://localhost/verify/x", "Academy"))
    assert pdf.startswith(b"%PDF")
    app.extensions["course"].tasks.join_all()
    print("smoke ok", sys.version.split()[0])


if __name__ == "__main__":
    main()
