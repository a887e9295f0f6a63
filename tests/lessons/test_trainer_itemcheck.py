"""The trainer's content-problems page shows the item check: each quiz's figures, the
quizzes that fail `flask course check` for being guessable, and single cues with file:line."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Site

GUESSABLE = (Path(__file__).parent.parent / "content" / "itemcheck_roots" / "guessable"
             / "quizzes" / "ic" / "one.yaml")


def test_trainer_page_lists_item_check_errors_warnings_and_figures(course_site: Site,
                                                                    content_root: Path) -> None:
    trainer = course_site.trainer_client()
    html = trainer.get(course_site.url("/trainer/")).get_data(as_text=True)
    assert "Quiz item check" in html
    assert "quizzes/social-divide/education.yaml</code>" in html
    assert "test-wise estimate" in html and "pass chance by guessing" in html
    # a guessable bank dropped into the module's place fails, with its cues at file:line
    target = content_root / "quizzes" / "social-divide" / "education.yaml"
    text = GUESSABLE.read_text().replace("module: one", "module: education").replace(
        "lesson: first", "lesson: learning-what-is-not-taught")
    target.write_text(text)
    html = trainer.get(course_site.url("/trainer/")).get_data(as_text=True)
    section = html.split('id="items-title"')[1].split("</section>")[0]
    assert "quizzes/social-divide/education.yaml</code> (<strong>fails</strong>)" in section
    assert "guessable: a test-wise reader who never opened a lesson scores 100%" in section
    assert ("<code>quizzes/social-divide/education.yaml:9</code>: question "
            "&#39;buyer-question&#39;: the correct option is the longest by") in section
