"""Our GIFT reader and writer: a corpus of every documented construct, errors with lines, and a
round trip."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from course.content.gift import parse_gift, write_gift
from course.content.quiz import NumericAnswer, Option, Quiz, ShortAnswer

CORPUS = (Path(__file__).parent / "gift" / "corpus.gift").read_text()


@pytest.fixture(scope="module")
def questions():
    result = parse_gift(CORPUS, "corpus.gift")
    assert result.errors == []
    return {q.id: q for q in result.questions}


def test_single_choice_with_feedback_and_general_feedback(questions) -> None:
    q = questions["single-with-feedback"]
    assert q.type == "single" and q.title == "single with feedback"
    assert q.text == "How long does a useful professional network take to build?"
    assert q.options == (
        Option("Two weeks", Decimal(0), "Too short: trust needs repeated contact."),
        Option("About six months", Decimal(1), "Right: steady effort over months."),
        Option("Ten years", Decimal(0), "Far too long for the first returns."))
    assert q.general_feedback == "Networks grow slowly, then quickly."
    assert q.tags == ("basics",) and q.line == 6


def test_missing_word(questions) -> None:
    q = questions["missing-word"]
    assert q.text == "Accepting every request makes a network _____ for your work."
    assert [o.text for o in q.options if o.weight == 1] == ["larger but not more useful"]


def test_true_false_forms_and_their_two_feedbacks(questions) -> None:
    q = questions["true-with-feedback"]
    assert (q.type, q.correct) == ("truefalse", False)
    assert q.feedback_wrong == "A profile is where people land, not a presence."
    assert q.feedback_right == "Right: presence is activity that helps."
    assert questions["true-short-form"].correct is True
    assert questions["false-plain"].correct is False


def test_short_answers_with_weights(questions) -> None:
    q = questions["short-answers"]
    assert q.type == "short"
    assert q.answers == (ShortAnswer("support"),
                         ShortAnswer("marketing", Decimal("0.5"), "Partly: every team can help."),
                         ShortAnswer("customer support"))


def test_numeric_tolerance_range_and_weighted_answers(questions) -> None:
    assert questions["numeric-tolerance"].numbers == (NumericAnswer(Decimal(5), Decimal(7)),)
    assert questions["numeric-range"].numbers == (NumericAnswer(Decimal(1), Decimal(5)),)
    q = questions["numeric-weighted"]
    assert q.numbers == (NumericAnswer(Decimal(4), Decimal(4), Decimal(1), "Exactly."),
                         NumericAnswer(Decimal(3), Decimal(5), Decimal("0.5"), "Close."))
    assert q.wrong_feedback == "Count the checklist again."


def test_matching(questions) -> None:
    assert questions["matching"].pairs == (
        ("Sales", "Lessons learned from buyers"), ("Support", "Answers to common questions"),
        ("Recruiting", "What working here is like"))


def test_weighted_multiple_answers_with_negative_marks(questions) -> None:
    q = questions["weighted-multiple"]
    assert q.type == "multiple"
    assert [o.weight for o in q.options] == [Decimal("0.5"), Decimal("0.5"), Decimal(-1)]
    assert q.options[2].feedback == "No: it adds numbers, not trust."


def test_escapes_and_text_formats(questions) -> None:
    assert questions["escapes"].text == (
        "Use : colons, = equals, # hashes, ~ tildes and {braces}\nacross lines.")
    assert questions["formatted"].text == "An HTML question"  # shown as plain text
    assert questions["markdown-title-after-name"].text == "A **markdown** question"


def test_untitled_questions_and_categories(questions) -> None:
    assert questions["q16"].text == "No title, numbered by position"
    assert questions["second-category"].tags == ("organisation",)


@pytest.mark.parametrize(("text", "line", "reason"), [
    ("::e::Write an essay.{}", 1, "essay questions ({}) cannot be graded"),
    ("Just a description.", 1, "a description, not a question"),
    ("\n\n::open::Missing close {=a", 3, "a '{' or '}' is missing"),
    ("::t::Two blocks {=a} and {=b}", 1, "one answer block per question"),
    ("::s::Pick one {~a ~b}", 1, "the positive %weights% of a multiple-answer question"),
    ("::s::Pick {=a =b ~c}", 1, "exactly one '=' answer"),
    ("::m::Match {=a -> 1}", 1, "at least 2 pairs"),
    ("::n::Number {#abc}", 1, "'abc' is not a number"),
    ("::n::Range {#5..1}", 1, "minimum is larger than its maximum"),
    ("::No close title {=a}", 1, "closing '::' is missing"),
    ("::sa::Short {=%50%half}", 1, "at least one short answer must be worth 100%"),
])
def test_errors_name_the_line_and_reason(text: str, line: int, reason: str) -> None:
    [error] = parse_gift(text, "bad.gift").errors
    assert error.file == "bad.gift" and error.line == line
    assert reason in error.reason


def test_every_bad_question_is_reported_and_good_ones_kept() -> None:
    result = parse_gift("::a::Fine {=yes}\n\n::b::Essay {}\n\n::c::Also fine {T}\n\n"
                        "::d::Bad {#x}\n", "mixed.gift")
    assert [q.id for q in result.questions] == ["a", "c"]
    assert [(e.line, e.reason.split(" ")[0]) for e in result.errors] == [(3, "essay"), (7, "'x'")]


def test_written_gift_reads_back_the_same(questions) -> None:
    quiz = Quiz("c", "m", "x", "Round trip", questions=tuple(questions.values()))
    again = {q.id: q for q in parse_gift(write_gift(quiz), "again.gift").questions}
    for qid, original in questions.items():
        copy = again[qid]
        for field_name in ("type", "options", "correct", "feedback_right", "feedback_wrong",
                           "answers", "numbers", "pairs", "general_feedback", "wrong_feedback"):
            assert getattr(copy, field_name) == getattr(original, field_name), (qid, field_name)
        assert copy.text == original.text


def test_writing_skips_ordering_questions_with_a_comment() -> None:
    from course.content.quiz import Question

    quiz = Quiz("c", "m", "x", "T", questions=(
        Question("o", "ordering", "Put in order", order=("a", "b")),))
    assert "// question 'o' is an ordering question" in write_gift(quiz)
