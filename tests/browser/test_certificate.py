"""From passing the last factor quiz to a downloaded certificate that an anonymous visitor then
verifies, by its link and by uploading the file: in a real Chromium, standalone and mounted."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from course.db import session, utcnow
from course.lessons.services import complete_lesson
from course.quizzes.models import QuizAttempt
from tests.browser.conftest import LiveServer, notices
from tests.browser.test_lessons import log_in
from tests.conftest import Site
from tests.quizzes.conftest import use_fixture_quiz

LAST_QUIZ = "social-graph-presence"


@pytest.fixture
def journey_site(course_site: Site, content_root: Path) -> Site:
    use_fixture_quiz(content_root)  # its right answers are known
    course_site.app.config["COURSE_AUTO_COMPLETE_SECONDS"] = 0
    return course_site


def learner_id(site: Site) -> str:
    if site.mode == "host":
        from tests.hostapp import Staff, db

        return str(db.session.query(Staff).filter_by(email="bob@host.example").one().id)
    from course.accounts.models import User

    return str(session().query(User).filter_by(email="rhea@example.com").one().id)


def all_but_the_last_quiz(site: Site) -> None:
    """Every lesson read and three factor quizzes passed, straight in the database."""
    with site.app.app_context():
        user_id = learner_id(site)
        loaded = site.app.extensions["course"].content()
        for lesson in loaded.course("social-divide").lessons:
            complete_lesson(session(), user_id, lesson)
        for (_, module), quiz in loaded.quizzes.items():
            if module != LAST_QUIZ:
                session().add(QuizAttempt(
                    user_id=user_id, course="social-divide", module=module, number=1,
                    quiz_version=quiz.version, state="finished", shown=[], responses={},
                    pass_mark=quiz.pass_mark, percent=Decimal("90"), passed=True,
                    finished_at=utcnow()))
        session().commit()


def answer_the_fixture_quiz(page) -> None:
    page.get_by_label("Keep a weekly routine: the first months are usually quiet").check()
    page.get_by_label("Answer questions from people in her industry").check()
    page.get_by_label("Share what she learns from customer problems").check()
    page.get_by_label("False").check()
    page.get_by_label("Your answer (a number)").fill("6")
    for rank, item in enumerate(["Connect with people you actually work with",
                                 "Comment usefully on posts in your field",
                                 "Share one thing you learned this week"], start=1):
        page.get_by_label(item).select_option(str(rank))


def test_pass_the_last_quiz_download_and_verify(journey_site: Site, page, browser,
                                                tmp_path: Path) -> None:
    site = journey_site
    with LiveServer(site.app) as server:
        log_in(page, server, site)
        page.goto(server.url + site.url("/courses/social-divide/"))  # the learner is known
        all_but_the_last_quiz(site)

        page.goto(server.url + site.url(f"/courses/social-divide/quizzes/{LAST_QUIZ}/"))
        page.get_by_role("button", name="Start the quiz").click()
        answer_the_fixture_quiz(page)
        page.get_by_role("button", name="Submit answers").click()
        shown = notices(page, "you passed", "your certificate for The Social Divide is ready")
        assert "you passed" in shown
        assert "your certificate for The Social Divide is ready" in shown

        page.get_by_role("link", name="Download it from My certificates").click()
        assert page.get_by_role("heading", level=1).inner_text() == "My certificates"
        with page.expect_download() as download:
            page.get_by_role("link", name="Download the PDF").click()
        assert download.value.suggested_filename == "certificate.pdf"
        pdf_path = tmp_path / "certificate.pdf"
        download.value.save_as(pdf_path)
        reader = PdfReader(io.BytesIO(pdf_path.read_bytes()))
        text = reader.pages[0].extract_text().replace("\n", "")
        name = "Bob Host" if site.mode == "host" else "Rhea Reader"
        assert len(reader.pages) == 1 and name in text and "100%" in text
        link = page.locator("a[id^='link-']").first.get_attribute("href")
        assert re.search(r"/verify/[A-Za-z0-9]{27}$", link)
        assert link.rsplit("/", 1)[1] in text  # the printed code is the link's
        assert page.problems == []

        # A stranger, with no session at all, checks it.
        stranger = browser.new_context()
        try:
            visitor = stranger.new_page()
            visitor.goto(link)
            assert "This certificate is valid." in visitor.get_by_role("main").inner_text()
            assert name in visitor.get_by_role("main").inner_text()
            visitor.goto(server.url + site.url("/verify/check"))
            visitor.get_by_label("Certificate PDF").set_input_files(str(pdf_path))
            visitor.get_by_role("button", name=re.compile("Check")).click()
            assert "authentic, unaltered certificate" in visitor.get_by_role("main").inner_text()
        finally:
            stranger.close()
