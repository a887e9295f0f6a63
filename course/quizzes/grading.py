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
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from ..content.quiz import Question, Quiz

ZERO, ONE, HUNDRED = Decimal(0), Decimal(1), Decimal(100)


@dataclass(frozen=True)
class Shown:
    """A question as one attempt shows it: which one, and the order of its parts."""

    id: str
    order: tuple[int, ...] = ()  # options, or ordering items, in the order shown
    answers_order: tuple[int, ...] = ()  # matching: the answers' order in each drop-down


def draw(quiz: Quiz, seed: int, avoid: Collection[str] = frozenset()) -> list[Shown]:
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
    return [_shown(q, rng, quiz.shuffle_options) for q in chosen]


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


def _shown(q: Question, rng: random.Random, shuffle: bool) -> Shown:
    def order(n: int, always: bool = False) -> tuple[int, ...]:
        items = list(range(n))
        if shuffle or always:
            rng.shuffle(items)
            if always and n > 1 and items == sorted(items):
                items.reverse()  # an ordering question never starts solved
        return tuple(items)

    if q.type in ("single", "multiple"):
        return Shown(q.id, order(len(q.options)))
    if q.type == "ordering":
        return Shown(q.id, order(len(q.order), always=True))
    if q.type == "matching":
        return Shown(q.id, answers_order=order(len(q.pairs), always=True))
    return Shown(q.id)


@dataclass(frozen=True)
class Marked:
    """One question's result: the fraction earned and the feedback that applies."""

    fraction: Decimal
    right: bool
    feedback: tuple[str, ...]


def _wildcard(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    parts = (re.escape(p) for p in " ".join(pattern.split()).split("*"))
    return re.compile(".*".join(parts), 0 if case_sensitive else re.IGNORECASE)


def parse_number(text: str) -> Decimal | None:
    """A learner's number: spaces and thousands separators ignored, a comma decimal accepted."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    cleaned = cleaned.replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def mark(q: Question, response: Any) -> Marked:
    """Grade one response. Responses: an option index (single), a list of option indices
    (multiple), a bool (true/false), text (short, numeric), a list of answer indices per prompt
    (matching), a list of item indices in the learner's order (ordering); None if unanswered."""
    if response is None:
        return Marked(ZERO, False, (q.general_feedback,) if q.general_feedback else ())
    fraction, feedback = _MARKERS[q.type](q, response)
    fraction = max(ZERO, min(ONE, fraction))
    notes = tuple(f for f in (*feedback, q.general_feedback) if f)
    return Marked(fraction, fraction == ONE, notes)


def _single(q: Question, response: Any) -> tuple[Decimal, list[str]]:
    if not isinstance(response, int) or not 0 <= response < len(q.options):
        return ZERO, []
    option = q.options[response]
    return option.weight, [option.feedback]


def _multiple(q: Question, response: Any) -> tuple[Decimal, list[str]]:
    chosen = {i for i in response if isinstance(i, int) and 0 <= i < len(q.options)} if (
        isinstance(response, list | tuple | set)) else set()
    return (sum((q.options[i].weight for i in chosen), ZERO),
            [q.options[i].feedback for i in sorted(chosen)])


def _truefalse(q: Question, response: Any) -> tuple[Decimal, list[str]]:
    right = response is q.correct
    return (ONE if right else ZERO), [q.feedback_right if right else q.feedback_wrong]


def _short(q: Question, response: Any) -> tuple[Decimal, list[str]]:
    text = " ".join(str(response).split())
    for answer in sorted(q.answers, key=lambda a: a.weight, reverse=True):
        if _wildcard(answer.pattern, q.case_sensitive).fullmatch(text):
            return answer.weight, [answer.feedback]
    return ZERO, [q.wrong_feedback]


def _numeric(q: Question, response: Any) -> tuple[Decimal, list[str]]:
    value = parse_number(str(response))
    if value is not None:
        for answer in sorted(q.numbers, key=lambda a: a.weight, reverse=True):
            if answer.low <= value <= answer.high:
                return answer.weight, [answer.feedback]
    return ZERO, [q.wrong_feedback]


def _matching(q: Question, response: Any) -> tuple[Decimal, list[str]]:
    if not isinstance(response, list | tuple) or not q.pairs:
        return ZERO, []
    right = sum(1 for i, choice in enumerate(response[: len(q.pairs)]) if choice == i)
    return Decimal(right) / len(q.pairs), []


def _ordering(q: Question, response: Any) -> tuple[Decimal, list[str]]:
    if not isinstance(response, list | tuple) or not q.order:
        return ZERO, []
    right = sum(1 for position, item in enumerate(response[: len(q.order)]) if item == position)
    return Decimal(right) / len(q.order), []


_MARKERS = {"single": _single, "multiple": _multiple, "truefalse": _truefalse, "short": _short,
            "numeric": _numeric, "matching": _matching, "ordering": _ordering}


@dataclass(frozen=True)
class AttemptResult:
    """An attempt's marks per question and its percentage."""

    marks: dict[str, Marked]
    earned: Decimal
    possible: int
    percent: Decimal
    passed: bool


def grade(quiz: Quiz, shown: Iterable[Shown], responses: Mapping[str, Any]) -> AttemptResult:
    """Grade every shown question; unanswered questions score 0."""
    questions = {q.id: q for q in quiz.questions}
    marks: dict[str, Marked] = {}
    earned, possible = ZERO, 0
    for item in shown:
        q = questions[item.id]
        marks[q.id] = mark(q, responses.get(q.id))
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
