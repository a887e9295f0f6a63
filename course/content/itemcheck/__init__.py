"""The item check (pure): how far a quiz can be passed by surface cues instead of learning.

`check_quiz` takes a parsed `Quiz` and returns a `QuizReport`: warnings for single cues (each
with the question's file:line), errors when the test-wise guesser's expected score reaches the
quiz's `guessing_limit` or its chance of passing by guessing over all attempts exceeds 1%, or
when the bank cannot fill its draw; and one line of figures. `flask course check` and the
trainer's content-problems page print it; `python -m course.content.itemcheck FILE.yaml` runs
it on single files while writing them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ...errors import ContentError
from ..quiz import Quiz
from .guesser import Estimate, estimate
from .rules import Tally, question_warnings, quiz_warnings

PASS_CHANCE_LIMIT = 0.01  # a quiz passed by guessing more often than this fails the check
BANK_FACTOR = 3  # item-writing rule 9: a bank three times its draw allows fresh forms


@dataclass(frozen=True)
class QuizReport:
    """The item check of one quiz: its errors, its warnings and its figures line."""

    path: str
    estimate: Estimate
    tally: Tally
    limit: int
    errors: tuple[ContentError, ...]
    warnings: tuple[ContentError, ...]

    @property
    def figures(self) -> str:
        """One line: the estimate, the pass chance and the cue counts."""
        e, t = self.estimate, self.tally
        over = "unlimited attempts" if e.attempts is None else (
            f"{e.attempts} attempt{'s' if e.attempts != 1 else ''}")
        parts = [f"test-wise estimate {math.floor(e.percent)}% (limit {self.limit}%), "
                 f"pass chance by guessing {percent(e.pass_any)} over {over}",
                 f"longest-is-key {t.longest_key}/{t.single} (chance {t.longest_chance:.1f}), "
                 f"widest option-length spread {t.widest_spread:.1f}",
                 f"absolute words in wrong options {t.wrong_absolute}/{t.wrong_options}, "
                 f"in right ones {t.right_absolute}/{t.right_options}"]
        if t.tf_true + t.tf_false:
            parts.append(f"true/false keyed true {t.tf_true}/{t.tf_true + t.tf_false}, "
                         f"false ones with absolute words {t.tf_false_absolute}/{t.tf_false}")
        if t.multiple:
            parts.append(f"multiple response with one wrong option "
                         f"{t.multiple_one_wrong}/{t.multiple}")
        return f"{self.path}: " + "; ".join(parts)


def percent(chance: float) -> str:
    """A probability as a short percentage that never rounds a small risk to zero."""
    if chance <= 0:
        return "0%"
    if chance * 100 < 0.01:
        return "<0.01%"
    value = chance * 100
    return f"{value:.0f}%" if value >= 10 else f"{value:.2g}%"


def _estimate_errors(quiz: Quiz, e: Estimate) -> list[str]:
    found = []
    if e.percent >= quiz.guessing_limit:
        found.append(f"guessable: a test-wise reader who never opened a lesson scores "
                     f"{math.floor(e.percent)}% on average, at or above the guessing_limit "
                     f"of {quiz.guessing_limit}%")
    if e.attempts is None and e.pass_one > 0:
        found.append(f"guessable: with unlimited attempts, guessing passes sooner or later "
                     f"(one attempt passes with {percent(e.pass_one)}); limit 'attempts'")
    elif e.pass_any > PASS_CHANCE_LIMIT:
        found.append(f"guessable: guessing passes with {percent(e.pass_any)} over "
                     f"{e.attempts} attempt(s) (one attempt: {percent(e.pass_one)}); "
                     f"the limit is {percent(PASS_CHANCE_LIMIT)}")
    return found


def _bank_problems(quiz: Quiz, e: Estimate) -> tuple[list[str], list[str]]:
    """Errors when the bank cannot fill its draw, warnings when it is under three times it."""
    errors, warnings = [], []
    for pool in quiz.pools:
        have = sum(1 for q in quiz.questions if pool.tag is None or pool.tag in q.tags)
        name = f"tagged '{pool.tag}'" if pool.tag else "in the bank"
        if pool.count > have:
            errors.append(f"draw: {pool.count} question(s) {name} per attempt, but only "
                          f"{have} exist")
        elif have < BANK_FACTOR * pool.count:
            warnings.append(f"draw: {pool.count} of {have} question(s) {name}; keep at least "
                            f"{BANK_FACTOR * pool.count} for fresh forms at renewal")
    if e.short_forms and not errors:
        errors.append(f"draw: earlier pools can take the questions a later one needs "
                      f"({e.short_forms} of {e.draws} sampled attempts had fewer than "
                      f"{quiz.per_attempt} questions)")
    if not quiz.pools and quiz.questions:
        warnings.append(f"every attempt shows the whole bank of {len(quiz.questions)}: add "
                        f"'draw' and keep the bank at least {BANK_FACTOR} times the draw")
    return errors, warnings


def _of_lesson(slug: str, tag: str | None, quiz: Quiz) -> bool:
    """Whether a pool drawing `tag` draws only questions on lesson `slug` (so every attempt
    samples that lesson)."""
    tagged = [q for q in quiz.questions if tag is not None and tag in q.tags]
    return bool(tagged) and all(slug in (q.lesson, *q.tags) for q in tagged)


def _lesson_warnings(quiz: Quiz, lessons: Sequence[str]) -> list[str]:
    """Lessons without questions; with a draw, lessons no tagged pool samples (rule 9)."""
    covered = {q.lesson for q in quiz.questions} | {t for q in quiz.questions for t in q.tags}
    found = [f"lesson '{slug}' has no question (set 'lesson: {slug}' on its questions)"
             for slug in lessons if slug not in covered]
    if quiz.pools:
        found += [f"lesson '{slug}' is not drawn per tag: an attempt may skip it (tag its "
                  f"questions '{slug}' and add {{tag: {slug}, count: N}} to 'draw')"
                  for slug in lessons if slug in covered
                  and not any(_of_lesson(slug, p.tag, quiz) for p in quiz.pools)]
    return found


def check_quiz(quiz: Quiz, lessons: Sequence[str] = ()) -> QuizReport:
    """The item check of `quiz`; `lessons` are its module's lesson slugs, for coverage."""
    tally = Tally()
    warnings = [ContentError(quiz.path, q.line, f"question '{q.id}': {reason}")
                for q in quiz.questions for reason in question_warnings(q, tally)]
    warnings += [ContentError(quiz.path, None, reason) for reason in quiz_warnings(tally)]
    e = estimate(quiz)
    bank_errors, bank_warnings = _bank_problems(quiz, e)
    warnings += [ContentError(quiz.path, None, r)
                 for r in bank_warnings + _lesson_warnings(quiz, lessons)]
    errors = [ContentError(quiz.path, None, r) for r in _estimate_errors(quiz, e) + bank_errors]
    return QuizReport(quiz.path, e, tally, quiz.guessing_limit, tuple(errors), tuple(warnings))
