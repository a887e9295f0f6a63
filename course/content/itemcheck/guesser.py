"""The test-wise guesser and its estimate (pure).

The guesser has not read a lesson. It sees a question as served (stem and options, in any
order, never the key) and answers by surface cues alone: it prefers long, hedged options that
repeat the stem and "all of the above", and rejects absolute ones. Its expected score and its
chance of passing are computed over the quiz's real draw policy and number of attempts.

Grading is re-stated here in its smallest form (a question earns the sum of the chosen options'
weights, clamped to 0..1) because content must not import the quizzes feature.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from itertools import combinations

from ..quiz import Pool, Question, Quiz
from .cues import absolute_words, has_above, hedge_words, overlap, text_length

DRAWS = 2000  # sampled draws when a quiz's draw policy cannot be enumerated cheaply
ENUMERATE = 20000  # a single pool with at most this many possible forms is enumerated exactly
SEED = 14  # fixed: the estimate of a file never changes between runs

Outcomes = tuple[tuple[Fraction, Fraction], ...]  # (fraction of the marks, probability)


def option_score(stem: str, text: str, longest: int) -> float:
    """How attractive an option looks to the guesser (higher is chosen first)."""
    score = text_length(text) / max(1, longest)
    if absolute_words(text):
        score -= 1.0
    if hedge_words(text):
        score += 0.5
    score += 0.25 * min(2, overlap(stem, text))
    if has_above(text) and not text.lower().lstrip().startswith(("none", "neither")):
        score += 2.0
    return score


def _scores(q: Question) -> list[float]:
    longest = max((text_length(o.text) for o in q.options), default=1)
    return [option_score(q.text, o.text, longest) for o in q.options]


def _clamp(weights: float | Fraction) -> Fraction:
    return min(Fraction(1), max(Fraction(0), Fraction(weights)))


def _even(fractions: list[Fraction]) -> Outcomes:
    """Each fraction equally likely (ties split evenly)."""
    share = Fraction(1, len(fractions))
    merged: dict[Fraction, Fraction] = {}
    for f in fractions:
        merged[f] = merged.get(f, Fraction(0)) + share
    return tuple(sorted(merged.items()))


def _single(q: Question) -> Outcomes:
    scores = _scores(q)
    best = max(scores)
    tied = [i for i, s in enumerate(scores) if math.isclose(s, best)]
    return _even([_clamp(Fraction(q.options[i].weight)) for i in tied])


def _multiple(q: Question) -> Outcomes:
    """Select the options without absolute words; when that rejects none (or all), drop the
    least attractive one, since a multiple-response question rarely has every option right."""
    plain = [i for i, o in enumerate(q.options) if not absolute_words(o.text)]
    if 0 < len(plain) < len(q.options):
        choices = [plain]
    else:
        scores = _scores(q)
        worst = min(scores)
        choices = [[j for j in range(len(q.options)) if j != i]
                   for i, s in enumerate(scores) if math.isclose(s, worst)]
    return _even([_clamp(sum((Fraction(q.options[i].weight) for i in c), Fraction(0)))
                  for c in choices])


def _truefalse(q: Question) -> Outcomes:
    guess = not absolute_words(q.text)
    return ((Fraction(1 if guess is bool(q.correct) else 0), Fraction(1)),)


@lru_cache(maxsize=64)
def _fixed_points(n: int) -> Outcomes:
    """A random arrangement of n items: the chance that exactly k land in place, as k/n."""
    derangements = [1, 0]
    for m in range(2, n + 1):
        derangements.append((m - 1) * (derangements[-1] + derangements[-2]))
    total = math.factorial(n)
    return tuple((Fraction(k, n), Fraction(math.comb(n, k) * derangements[n - k], total))
                 for k in range(n + 1) if derangements[n - k])


def _arrangement(q: Question) -> Outcomes:
    n = len(q.pairs) if q.type == "matching" else len(q.order)
    return _fixed_points(n) if n else ((Fraction(0), Fraction(1)),)


def _nothing(q: Question) -> Outcomes:
    return ((Fraction(0), Fraction(1)),)


GUESSERS: dict[str, Callable[[Question], Outcomes]] = {
    "single": _single, "multiple": _multiple, "truefalse": _truefalse,
    "matching": _arrangement, "ordering": _arrangement, "short": _nothing, "numeric": _nothing}


def guess(q: Question) -> Outcomes:
    """What the guesser earns on `q`: each fraction of its marks with its probability."""
    return GUESSERS.get(q.type, _nothing)(q)  # a type added on a site: no guessing model


def expected_fraction(q: Question) -> Fraction:
    """The guesser's expected fraction of `q`'s marks."""
    return sum((f * p for f, p in guess(q)), Fraction(0))


@dataclass(frozen=True)
class Estimate:
    """The guesser's expected score (percent) and its chance of passing one attempt and all."""

    percent: float
    pass_one: float
    pass_any: float
    attempts: int | None
    draws: int  # forms considered; 0 when the bank cannot fill the draw
    exact: bool  # every possible form was enumerated
    short_forms: int  # sampled forms with fewer questions than the policy asks


def _pool_members(quiz: Quiz, pool: Pool) -> list[int]:
    return [i for i, q in enumerate(quiz.questions) if pool.tag is None or pool.tag in q.tags]


def _forms(quiz: Quiz, draws: int) -> tuple[list[tuple[int, ...]], bool]:
    """The question sets one attempt can show: all of them when few, else a seeded sample."""
    n = len(quiz.questions)
    if not quiz.pools:
        return [tuple(range(n))], True
    if len(quiz.pools) == 1:
        members = _pool_members(quiz, quiz.pools[0])
        k = min(quiz.pools[0].count, len(members))
        if math.comb(len(members), k) <= max(draws, ENUMERATE):
            return list(combinations(members, k)), True
    rng = random.Random(SEED)
    forms = []
    for _ in range(draws):
        chosen: list[int] = []
        for pool in quiz.pools:  # the same rule as the real draw: earlier pools go first
            candidates = [i for i in _pool_members(quiz, pool) if i not in chosen]
            chosen += rng.sample(candidates, min(pool.count, len(candidates)))
        forms.append(tuple(sorted(chosen)))
    return forms, False


Item = tuple[int, tuple[tuple[float, float], ...]]  # points, (fraction, probability) pairs


def _pass_chance(items: tuple[Item, ...], sure: float, possible: int, pass_mark: int) -> float:
    """The chance that `sure` points plus the uncertain `items` reach the pass mark
    (questions independent): a walk over the possible totals."""
    earned: dict[float, float] = {sure: 1.0}
    for points, outcomes in items:
        step: dict[float, float] = {}
        for total, p in earned.items():
            for fraction, q in outcomes:
                key = round(total + fraction * points, 9)
                step[key] = step.get(key, 0.0) + p * q
        earned = step
    return sum(p for total, p in earned.items() if total * 100 >= pass_mark * possible - 1e-7)


class _Forms:
    """One form's expected percent and pass chance, computed once per distinct form."""

    def __init__(self, quiz: Quiz) -> None:
        self.quiz = quiz
        self.points = [q.points for q in quiz.questions]
        outcomes = [guess(q) for q in quiz.questions]
        self.means = [float(sum((f * p for f, p in o), Fraction(0))) for o in outcomes]
        self.items: list[Item] = [(q.points, tuple((float(f), float(p)) for f, p in o))
                                  for q, o in zip(quiz.questions, outcomes, strict=True)]
        self.chances: dict[tuple, float] = {}

    def score(self, form: tuple[int, ...]) -> tuple[float, float]:
        possible = sum(self.points[i] for i in form) or 1
        mean = sum(self.means[i] * self.points[i] for i in form)
        sure = sum(self.means[i] * self.points[i] for i in form if len(self.items[i][1]) == 1)
        uncertain = tuple(sorted(self.items[i] for i in form if len(self.items[i][1]) > 1))
        key = (round(sure, 9), possible, uncertain)  # forms alike in what matters share it
        if key not in self.chances:
            self.chances[key] = _pass_chance(uncertain, sure, possible, self.quiz.pass_mark)
        return mean * 100 / possible, self.chances[key]


def estimate(quiz: Quiz, draws: int = DRAWS) -> Estimate:
    """The guesser's expected score and pass chance over the quiz's draws and attempts."""
    forms, exact = _forms(quiz, draws)
    scorer = _Forms(quiz)
    percent_sum, pass_sum = 0.0, 0.0
    for form in forms:
        percent, chance = scorer.score(form)
        percent_sum += percent
        pass_sum += chance
    count = len(forms) or 1
    one = min(1.0, pass_sum / count)
    any_ = (1.0 if one > 0 else 0.0) if quiz.attempts is None else 1 - (1 - one) ** quiz.attempts
    short = sum(1 for form in forms if len(form) < quiz.per_attempt)
    return Estimate(percent_sum / count, one, any_, quiz.attempts, len(forms), exact, short)
