"""Drawing, shuffling and grading (pure: no Flask, no database).

Scores are exact `Decimal`s. A question scores a fraction from 0 to 1 of its points (negative
marks can take a multiple-choice question down to 0, never below). An attempt passes when its
exact score reaches the pass mark (compared as fractions, never after rounding); its percentage is
rounded *down* to two places for storage and display, so a stored or shown figure can never say
"80" for an attempt that scored a hair under 80, and comparing it with a whole pass mark later
gives the same decision.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from ..content.qtypes import QuestionTypes, builtin_types
from ..content.qtypes.base import Marked, Shown
from ..content.qtypes.numeric import parse_number
from ..content.quiz import Question, Quiz

ZERO, ONE, HUNDRED = Decimal(0), Decimal(1), Decimal(100)
__all__ = ["AttemptResult", "Marked", "Shown", "draw", "grade", "mark", "overall",
           "parse_number"]


def draw(quiz: Quiz, seed: int, avoid: Collection[str] = frozenset(),
         types: QuestionTypes | None = None) -> list[Shown]:
    """The questions one attempt shows, drawn from the pools and shuffled as the quiz says.

    Each pool takes questions whose id is not in `avoid` first (practised, or seen before a
    renewal), and fills from the avoided ones only when too few others are left."""
    rng = random.Random(seed)
    if quiz.pools:
        chosen: list[Question] = []
        for pool in quiz.pools:
            candidates = [q for q in quiz.questions if (pool.tag is None or pool.tag in q.tags)
                          and q not in chosen]
            fresh = [q for q in candidates if q.id not in avoid]
            taken = rng.sample(fresh, min(pool.count, len(fresh)))
            rest = [q for q in candidates if q.id in avoid]
            chosen += taken + rng.sample(rest, min(pool.count - len(taken), len(rest)))
        chosen.sort(key=quiz.questions.index)
    else:
        chosen = list(quiz.questions)
    if quiz.shuffle_questions:
        rng.shuffle(chosen)
        chosen = _keep_scenarios_together(chosen)
    types = types or builtin_types()
    return [_shown(q, rng, quiz.shuffle_options, types) for q in chosen]


def _keep_scenarios_together(questions: list[Question]) -> list[Question]:
    """Questions on one scenario stay next to each other, at the first one's place."""
    out: list[Question] = []
    for q in questions:
        if q in out:
            continue
        out.append(q)
        if q.scenario:
            out += [o for o in questions if o.scenario == q.scenario and o not in out]
    return out


def _shown(q: Question, rng: random.Random, shuffle: bool, types: QuestionTypes) -> Shown:
    def order(n: int, always: bool = False) -> tuple[int, ...]:
        items = list(range(n))
        if shuffle or always:
            rng.shuffle(items)
            if always and n > 1 and items == sorted(items):
                items.reverse()  # an ordering question never starts solved
        return tuple(items)

    return types.get(q.type).shown(q, order)


def mark(q: Question, response: Any, types: QuestionTypes | None = None) -> Marked:
    """Grade one response. Responses: an option index (single), a list of option indices
    (multiple), a bool (true/false), text (short, numeric), a list of answer indices per prompt
    (matching), a list of item indices in the learner's order (ordering); None if unanswered."""
    if response is None:
        return Marked(ZERO, False, (q.general_feedback,) if q.general_feedback else ())
    fraction, feedback = (types or builtin_types()).get(q.type).mark(q, response)
    fraction = max(ZERO, min(ONE, fraction))
    notes = tuple(f for f in (*feedback, q.general_feedback) if f)
    return Marked(fraction, fraction == ONE, notes)


@dataclass(frozen=True)
class AttemptResult:
    """An attempt's marks per question and its percentage."""

    marks: dict[str, Marked]
    earned: Decimal
    possible: int
    percent: Decimal
    passed: bool


def grade(quiz: Quiz, shown: Iterable[Shown], responses: Mapping[str, Any],
          types: QuestionTypes | None = None) -> AttemptResult:
    """Grade every shown question; unanswered questions score 0."""
    questions = {q.id: q for q in quiz.questions}
    marks: dict[str, Marked] = {}
    earned, possible = ZERO, 0
    for item in shown:
        q = questions[item.id]
        marks[q.id] = mark(q, responses.get(q.id), types)
        earned += marks[q.id].fraction * q.points
        possible += q.points
    percent = (earned * HUNDRED / possible).quantize(Decimal("0.01"), ROUND_DOWN) if (
        possible) else ZERO
    passed = possible > 0 and earned * HUNDRED >= quiz.pass_mark * possible
    return AttemptResult(marks, earned, possible, percent, passed)


def overall(method: str, percents: list[Decimal]) -> Decimal | None:
    """The quiz grade from finished attempts' percentages, oldest first."""
    if not percents:
        return None
    if method == "first":
        return percents[0]
    if method == "last":
        return percents[-1]
    if method == "average":
        return (sum(percents, ZERO) / len(percents)).quantize(Decimal("0.01"), ROUND_DOWN)
    return max(percents)
