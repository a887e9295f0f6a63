"""Practice blocks in lesson markdown (pure): finding, reading, checking, and the placeholder the
stored HTML holds; plus `flask course check` reporting bad blocks with file:line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from flask import Flask

from course.content.markdown import RenderJob, render_lesson
from course.content.practice import fill, find_fences, placeholder, read_blocks
from course.content.quiz import Option, Question, Quiz
from tests.content.helpers import MANIFEST, make_root

BANK = Quiz("c", "one", "quizzes/c/one.yaml", "Quiz", questions=(
    Question("alpha", "single", "Alpha?", options=(Option("A", Decimal(1), "yes"),
                                                    Option("B", Decimal(0), "no"))),
    Question("order-it", "ordering", "Order?", order=("x", "y")),
), scenarios={})

INLINE = """\
```practice
questions:
  - id: tf
    type: truefalse
    text: "Statement?"
    answer: true
    feedback_right: "Because."
```"""


def body(*blocks: str) -> str:
    return "Intro.\n\n" + "\n\nBetween.\n\n".join(blocks) + "\n\nEnd.\n"


def job(text: str) -> RenderJob:
    return RenderJob("lessons/c/01-one/01-a.md", "01-one/01-a.md", text, 5, {}, frozenset())


def test_a_block_by_id_and_an_inline_block_are_read_in_order() -> None:
    text = body("```practice\nquestion: alpha\n```", INLINE)
    blocks, errors = read_blocks("a.md", text, 5, BANK)
    assert errors == []
    assert [b.number for b in blocks] == [1, 2]
    first, second = blocks
    assert first.title == "Check your understanding" and first.line == 7
    assert [(p.question.id, p.bank) for p in first.questions] == [("alpha", True)]
    [inline] = second.questions
    assert (inline.question.id, inline.question.type, inline.bank) == ("tf", "truefalse", False)
    assert inline.question.feedback_right == "Because."


def test_the_renderer_leaves_an_inert_placeholder_per_block() -> None:
    text = body("~~~practice\ntitle: Mine\nquestion: alpha\n~~~", INLINE)
    html = render_lesson(job(text)).html
    assert html.count(placeholder(1)) == 1 and html.count(placeholder(2)) == 1
    assert "question:" not in html and "Statement?" not in html
    assert html.index("Intro.") < html.index(placeholder(1)) < html.index("Between.")
    filled = fill(html, {1: "<form>one</form>"})
    assert "<form>one</form>" in filled and placeholder(1) not in filled
    assert placeholder(2) in filled  # a block with nothing to show stays an empty, inert div


def test_a_lesson_cannot_forge_a_placeholder_or_hide_a_block_in_code() -> None:
    text = ('<div class="practice-slot" data-practice="1"></div>\n\n'
            "````markdown\n```practice\nquestion: alpha\n```\n````\n")
    html = render_lesson(job(text)).html
    assert 'data-practice="1"' not in html  # the sanitiser drops data- attributes
    assert "practice" in html and "question: alpha" in html  # shown as code, not a block
    assert find_fences(text) == ([], [])


def located(text: str, quiz: Quiz | None = BANK) -> list[str]:
    return [str(e) for e in read_blocks("a.md", text, 5, quiz)[1]]


def test_check_reports_unknown_ids_bad_yaml_too_many_and_unsupported_types() -> None:
    assert located(body("```practice\nquestion: nope\n```")) == [
        "a.md:8: practice block: no question 'nope' in the module's quiz (quizzes/c/one.yaml)"]
    assert located(body("```practice\nquestion: alpha\n```"), None) == [
        "a.md:8: practice block: no question 'alpha' in this module, which has no quiz"]
    bad_yaml = located(body("```practice\nquestions: [alpha\n```"))
    assert len(bad_yaml) == 1 and bad_yaml[0].startswith("a.md:8: practice block: invalid YAML")
    assert located(body("```practice\nquestions: [alpha, a, b, c]\n```")) == [
        "a.md:8: practice block: 'questions' lists one to 3 questions (bank ids or inline "
        "questions)"]
    assert located(body("```practice\nquestion: order-it\n```")) == [
        "a.md:8: practice block: question 'order-it' is a ordering question; practice takes "
        "single, multiple, truefalse"]


def test_check_reports_inline_question_problems_at_their_line() -> None:
    text = body("```practice\nquestions:\n  - id: q1\n    type: single\n    text: Pick\n"
                "    options:\n      - {text: A}\n      - {text: B}\n```")
    assert located(text) == ["a.md:12: practice block: a single-choice question has exactly "
                             "one option with 'correct: true'"]


def test_check_reports_other_block_mistakes() -> None:
    assert located(body("```practice\nquestion: alpha\nquestions: [alpha]\n```")) == [
        "a.md:8: practice block: write either 'question: <id>' or a 'questions:' list"]
    assert located(body("```practice\nquestion: alpha\nextra: 1\n```")) == [
        "a.md:9: practice block: unknown key 'extra' (known: question, questions, title)"]
    assert located(body("```practice\nquestion: alpha\n```", "```practice\nquestion: alpha\n"
                        "```")) == ["a.md:14: practice block: question 'alpha' is already "
                                    "used in this lesson"]
    assert located("Text.\n\n```practice\nquestion: alpha\n") == [
        "a.md:7: practice block: no closing ``` for this block"]
    assert located(body("```practice\n- alpha\n```")) == [
        "a.md:7: practice block: write 'question: <id>' or a 'questions:' list"]


def test_flask_course_check_fails_on_a_bad_block_with_file_and_line(
        standalone_app: Flask, tmp_path: Path) -> None:
    lesson = ('---\ntitle: "A"\nsummary: "S"\n---\n\nWords.\n\n```practice\n'
              "question: missing\n```\n")
    quiz = ('title: "Q"\nmodule: one\nquestions:\n  - id: alpha\n    type: single\n'
            '    text: "A?"\n    options:\n      - {text: "Yes", correct: true}\n'
            '      - {text: "No"}\n')
    root = make_root(tmp_path, {"lessons/c/course.yaml": MANIFEST,
                                "lessons/c/01-one/01-a.md": lesson,
                                "quizzes/c/one.yaml": quiz})
    result = standalone_app.test_cli_runner().invoke(args=["course", "check", str(root)])
    assert result.exit_code == 1
    assert ("lessons/c/01-one/01-a.md:9: practice block: no question 'missing' in the "
            "module's quiz (quizzes/c/one.yaml)") in result.output
    (root / "lessons/c/01-one/01-a.md").write_text(lesson.replace("missing", "alpha"))
    again = standalone_app.test_cli_runner().invoke(args=["course", "check", str(root)])
    assert "practice block" not in again.output, again.output


def test_practice_blocks_do_not_count_as_reading_time(tmp_path: Path) -> None:
    from course.content.catalog import scan_root
    from tests.content.helpers import one_course

    lesson = '---\ntitle: "A"\nsummary: "S"\n---\n\nFour words to read.\n\n' + INLINE + "\n"
    catalog, errors = scan_root(one_course(tmp_path, **{"01-a.md": lesson}))
    assert errors == [] and catalog.courses[0].lessons[0].words == 4
