"""Pure grading: each question type, weights and penalties, drawing, and the grading methods."""

from __future__ import annotations

from decimal import Decimal

import pytest

from course.content.quiz import NumericAnswer, Option, Pool, Question, Quiz, ShortAnswer
from course.quizzes.grading import draw, grade, mark, overall, parse_number

D = Decimal
SINGLE = Question("s", "single", "?", options=(Option("a", D(0), "No."), Option("b", D(1), "Yes."),
                                              Option("c", D("0.5"), "Half.")),
                  general_feedback="General.")
MULTI = Question("m", "multiple", "?", options=(Option("a", D("0.5")), Option("b", D("0.5")),
                                               Option("c", D(-1), "Penalty.")))
TF = Question("t", "truefalse", "?", correct=False, feedback_right="Right.",
              feedback_wrong="Wrong.")
SHORT = Question("sh", "short", "?", answers=(ShortAnswer("customer support"),
                                              ShortAnswer("cust* serv*", D("0.5"), "Close.")),
                 wrong_feedback="Think of the team that answers questions.")
NUMERIC = Question("n", "numeric", "?", numbers=(NumericAnswer(D(5), D(7)),
                                                 NumericAnswer(D(3), D(9), D("0.5"))))
MATCH = Question("ma", "matching", "?", pairs=(("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")))
ORDER = Question("o", "ordering", "?", order=("x", "y", "z"))


@pytest.mark.parametrize(("question", "response", "fraction", "right"), [
    (SINGLE, 1, "1", True), (SINGLE, 0, "0", False), (SINGLE, 2, "0.5", False),
    (SINGLE, 9, "0", False), (SINGLE, "1", "0", False),
    (MULTI, [0, 1], "1", True), (MULTI, [0], "0.5", False), (MULTI, [0, 1, 2], "0", False),
    (MULTI, [0, 2], "0", False), (MULTI, [], "0", False), (MULTI, "0", "0", False),
    (TF, False, "1", True), (TF, True, "0", False), (TF, "false", "0", False),
    (SHORT, "Customer  Support ", "1", True), (SHORT, "customer service", "0.5", False),
    (SHORT, "cust", "0", False), (SHORT, "support", "0", False),
    (NUMERIC, "6", "1", True), (NUMERIC, "5", "1", True), (NUMERIC, "7.0", "1", True),
    (NUMERIC, "6,5", "1", True), (NUMERIC, "8", "0.5", False), (NUMERIC, "10", "0", False),
    (NUMERIC, "six", "0", False), (NUMERIC, "NaN", "0", False), (NUMERIC, "1e400", "0", False),
    (MATCH, [0, 1, 2, 3], "1", True), (MATCH, [0, 1, 3, 2], "0.5", False),
    (MATCH, [1, 0], "0", False),
    (ORDER, [0, 1, 2], "1", True), (ORDER, [0, 2, 1], "0.3333333333333333333333333333", False),
    (ORDER, [2, 1, 0], "0.3333333333333333333333333333", False),
])
def test_each_question_type(question, response, fraction: str, right: bool) -> None:
    result = mark(question, response)
    assert result.fraction == Decimal(fraction) and result.right is right


def test_feedback_follows_the_answer() -> None:
    assert mark(SINGLE, 0).feedback == ("No.", "General.")
    assert mark(MULTI, [0, 2]).feedback == ("Penalty.",)
    assert mark(TF, True).feedback == ("Wrong.",) and mark(TF, False).feedback == ("Right.",)
    assert mark(SHORT, "customer services").feedback == ("Close.",)
    assert mark(SHORT, "marketing").feedback == ("Think of the team that answers questions.",)
    assert mark(SINGLE, None).feedback == ("General.",) and mark(SINGLE, None).fraction == 0


def test_case_sensitive_short_answers() -> None:
    q = Question("c", "short", "?", answers=(ShortAnswer("CRM"),), case_sensitive=True)
    assert mark(q, "CRM").right and not mark(q, "crm").right


def test_wildcards_do_not_become_regular_expressions() -> None:
    q = Question("w", "short", "?", answers=(ShortAnswer("a.c*"),))
    assert mark(q, "a.cdef").right and not mark(q, "abc").right


def test_parse_number() -> None:
    assert parse_number(" 1 234,5 ") == D("1234.5") and parse_number("1,234.5") == D("1234.5")
    assert parse_number("inf") is None and parse_number("") is None


QUIZ = Quiz("c", "m", "q.yaml", "Q", pass_mark=80, questions=(
    Question("a", "truefalse", "?", correct=True, points=2),
    Question("b", "truefalse", "?", correct=True),
    Question("c", "truefalse", "?", correct=True, tags=("x",)),
    Question("d", "truefalse", "?", correct=True, tags=("x",), scenario="s"),
    Question("e", "truefalse", "?", correct=True, tags=("x",), scenario="s")))


def test_attempt_percent_is_exact_and_weighted_by_points() -> None:
    shown = draw(QUIZ, 1)
    result = grade(QUIZ, shown, {"a": True, "b": True, "c": True, "d": True, "e": False})
    assert (result.earned, result.possible, result.percent, result.passed) == (
        D(5), 6, D("83.33"), True)
    result = grade(QUIZ, shown, {"a": False, "b": True, "c": True, "d": True, "e": True})
    assert result.percent == D("66.66") and not result.passed  # rounded down, never up
    assert grade(QUIZ, shown, {}).percent == 0


def test_a_hair_under_the_pass_mark_fails_whatever_the_rounding() -> None:
    """2 of 3 weighted parts: 66.666...% rounds to 66.67 half-up, which would pass a 66.67
    mark only by rounding; with a whole mark of 67 the exact score is compared."""
    three = Quiz("c", "m", "q", "Q", pass_mark=67, shuffle_questions=False, questions=tuple(
        Question(x, "truefalse", "?", correct=True) for x in "abc"))
    result = grade(three, draw(three, 1), {"a": True, "b": True, "c": False})
    assert not result.passed and result.percent == D("66.66")
    # 19,999 of 25,000 points is 79.996%: rounded half-up to two places it would say 80.00
    many = Quiz("c", "m", "q", "Q", pass_mark=80, shuffle_questions=False, questions=(
        Question("big", "truefalse", "?", correct=True, points=19999),
        Question("rest", "truefalse", "?", correct=True, points=5001)))
    result = grade(many, draw(many, 1), {"big": True, "rest": False})
    assert not result.passed and result.percent == D("79.99")
    result = grade(many, draw(many, 1), {"big": True, "rest": True})
    assert result.passed and result.percent == 100


def test_pass_mark_is_inclusive() -> None:
    quiz = Quiz("c", "m", "q", "Q", pass_mark=50, shuffle_questions=False, questions=(
        Question("a", "truefalse", "?", correct=True), Question("b", "truefalse", "?",
                                                               correct=True)))
    assert grade(quiz, draw(quiz, 0), {"a": True}).passed


def test_draw_from_pools_is_repeatable_and_keeps_scenarios_together() -> None:
    quiz = Quiz(**{**QUIZ.__dict__, "pools": (Pool(2, "x"), Pool(1))})
    first = draw(quiz, 42)
    assert first == draw(quiz, 42)  # the seed is the attempt's record of what was shown
    assert len(first) == 3
    assert sum(1 for s in first if s.id in {"c", "d", "e"}) >= 2
    for seed in range(50):
        ids = [s.id for s in draw(QUIZ, seed)]
        assert abs(ids.index("d") - ids.index("e")) == 1


def test_options_shuffle_and_ordering_never_starts_solved() -> None:
    quiz = Quiz("c", "m", "q", "Q", questions=(SINGLE, ORDER, MATCH))
    seen = {draw(quiz, seed)[0].order for seed in range(30) if draw(quiz, seed)[0].id == "s"}
    assert len(seen) > 1
    for seed in range(30):
        by_id = {s.id: s for s in draw(quiz, seed)}
        assert by_id["o"].order != (0, 1, 2)
        assert by_id["ma"].answers_order != (0, 1, 2, 3)
    fixed = Quiz("c", "m", "q", "Q", shuffle_options=False, questions=(SINGLE,))
    assert draw(fixed, 3)[0].order == (0, 1, 2)


@pytest.mark.parametrize(("method", "expected"), [
    ("highest", "90"), ("last", "70"), ("first", "60"), ("average", "73.33")])
def test_grading_methods(method: str, expected: str) -> None:
    assert overall(method, [D(60), D(90), D(70)]) == D(expected)
    assert overall(method, []) is None


def test_best_scores_per_factor() -> None:
    from course.quizzes.profile import best_scores

    assert best_scores([("a", D(40)), ("b", D(90)), ("a", D(85)), ("a", D(70))]) == {
        "a": D(85), "b": D(90)}
