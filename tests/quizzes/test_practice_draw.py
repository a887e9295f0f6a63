"""`draw` with an `avoid` set (pure): questions to avoid are taken only when a pool is short."""

from __future__ import annotations

from decimal import Decimal

from course.content.quiz import Option, Pool, Question, Quiz
from course.quizzes.grading import draw


def bank(*tags: str) -> Quiz:
    questions = tuple(Question(f"q{i}", "single", f"Q{i}?", tags=(tag,), options=(
        Option("a", Decimal(1)), Option("b", Decimal(0)))) for i, tag in enumerate(tags))
    return Quiz("c", "m", "m.yaml", "Quiz", questions=questions)


def ids(quiz: Quiz, seed: int, avoid: frozenset[str] = frozenset()) -> set[str]:
    return {s.id for s in draw(quiz, seed, avoid)}


def test_avoided_questions_are_left_out_while_the_pool_has_enough_others() -> None:
    quiz = Quiz(**{**bank("x", "x", "x", "x", "x", "x").__dict__, "pools": (Pool(3),)})
    for seed in range(30):
        assert ids(quiz, seed, frozenset({"q0", "q1", "q2"})) == {"q3", "q4", "q5"}


def test_a_short_pool_fills_from_the_avoided_questions() -> None:
    quiz = Quiz(**{**bank("x", "x", "x", "x").__dict__, "pools": (Pool(3),)})
    seen = set()
    for seed in range(40):
        drawn = ids(quiz, seed, frozenset({"q0", "q1", "q2"}))
        assert len(drawn) == 3 and "q3" in drawn
        seen |= drawn
    assert seen == {"q0", "q1", "q2", "q3"}  # the filler varies with the seed


def test_avoidance_applies_per_tagged_pool() -> None:
    quiz = Quiz(**{**bank("a", "a", "b", "b", "b").__dict__,
                   "pools": (Pool(1, "a"), Pool(2, "b"))})
    for seed in range(20):
        drawn = ids(quiz, seed, frozenset({"q0", "q2", "q3"}))
        assert "q1" in drawn and "q4" in drawn and len(drawn & {"q2", "q3"}) == 1


def test_without_pools_every_question_is_shown_and_no_avoid_changes_nothing() -> None:
    quiz = bank("x", "x", "x")
    assert ids(quiz, 1, frozenset({"q0"})) == {"q0", "q1", "q2"}
    pooled = Quiz(**{**bank("x", "x", "x", "x", "x").__dict__, "pools": (Pool(2),)})
    for seed in range(10):  # an empty avoid set draws exactly what draw always drew
        assert draw(pooled, seed) == draw(pooled, seed, frozenset())
