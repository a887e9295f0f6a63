"""Quiz statistics for trainers (pure), after the classical test theory definitions that
Moodle's quiz statistics report documents.

- facility index: the mean score on a question as a percentage of its maximum;
- discrimination index: the correlation (x100) between the score on a question and the score
  on the rest of the quiz, across attempts;
- the quiz's mean, median, standard deviation and Cronbach's alpha (internal consistency).
By default only each learner's first attempt counts, as in Moodle, so practice does not
inflate the figures. Figures are per question *version*: editing a question starts a new
version (a hash of its content as the attempt snapshotted it), and attempts keep theirs.
"""

from __future__ import annotations

import math
import statistics as stats
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..content.qtypes import QuestionTypes, builtin_types
from ..content.quiz import Question, Quiz
from .snapshot import current_version, question_from_json, question_version

MIN_SAMPLE = 30


@dataclass(frozen=True)
class AttemptData:
    """What statistics need from one finished attempt."""

    user_id: str
    number: int
    percent: float
    fractions: dict[str, float]  # question id -> fraction of its marks earned
    responses: dict[str, Any]
    versions: dict[str, str] = field(default_factory=dict)  # question id -> version shown


@dataclass(frozen=True)
class Version:
    """One version of a question, as shown to the attempts that carry it."""

    question: Question
    version: str | None  # None: every attempt, whatever version it showed
    current: bool = True  # the quiz holds this version now


@dataclass
class ItemStats:
    """One question's figures and what they suggest."""

    question: Question
    attempts: int
    facility: float | None
    sd: float | None
    discrimination: float | None
    choices: list[tuple[str, int, bool]] = field(default_factory=list)  # text, count, keyed
    version: str | None = None
    current: bool = True

    @property
    def verdicts(self) -> list[str]:
        """Plain-language readings of the figures."""
        out = []
        if self.facility is not None:
            if self.facility >= 90:
                out.append("too easy: almost everyone gets it right")
            elif self.facility <= 20:
                out.append("very hard: check it is clear and taught")
        if self.discrimination is None:
            if self.attempts > 1:
                out.append("everyone scored the same on it or on the rest of the quiz")
        elif self.discrimination < 0:
            out.append("possibly mis-keyed: negative discrimination (stronger learners do "
                       "worse on it)")
        elif self.discrimination < 20:
            out.append("weak discrimination: it barely separates stronger from weaker "
                       "learners")
        return out or ["works well"]


@dataclass
class QuizStats:
    """The whole quiz's figures."""

    attempts: int
    mean: float | None
    median: float | None
    sd: float | None
    alpha: float | None
    items: list[ItemStats]

    @property
    def small_sample(self) -> bool:
        return self.attempts < MIN_SAMPLE


def choose(attempts: list[AttemptData], first_only: bool = True) -> list[AttemptData]:
    """Each learner's first finished attempt (or every finished attempt)."""
    if not first_only:
        return attempts
    first: dict[str, AttemptData] = {}
    for a in sorted(attempts, key=lambda a: a.number):
        first.setdefault(a.user_id, a)
    return list(first.values())


def _correlation(xs: list[float], ys: list[float]) -> float | None:
    if len(xs) < 2 or stats.pstdev(xs) == 0 or stats.pstdev(ys) == 0:
        return None
    mx, my = stats.fmean(xs), stats.fmean(ys)
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return cov / math.sqrt(sum((x - mx) ** 2 for x in xs) * sum((y - my) ** 2 for y in ys))


def versions_in_order(current: list[tuple[Question, str]],
                      seen: list[tuple[Question, str]]) -> list[Version]:
    """Every version to report: each question of the quiz now (its current version first,
    then earlier ones in the order attempts first showed them), then removed questions."""
    earlier: dict[str, list[Version]] = {}
    for q, version in seen:
        versions = earlier.setdefault(q.id, [])
        if all(v.version != version for v in versions):
            versions.append(Version(q, version, current=False))
    out = []
    for q, version in current:
        out.append(Version(q, version))
        out += [v for v in earlier.pop(q.id, []) if v.version != version]
    return out + [v for versions in earlier.values() for v in versions]


def from_records(quiz: Quiz, records: Iterable[Any]
                 ) -> tuple[list[Version], list[AttemptData]]:
    """The versions to report and each attempt's data, from finished attempts' records
    (anything with user_id, number, percent, marks, responses and shown), oldest first."""
    data: list[AttemptData] = []
    seen: list[tuple[Question, str]] = []
    for record in records:
        versions = {}
        for shown in record.shown:
            versions[shown["id"]] = question_version(shown)
            seen.append((question_from_json(shown)[0], versions[shown["id"]]))
        data.append(AttemptData(record.user_id, record.number, float(record.percent),
                                {qid: float(m["fraction"])
                                 for qid, m in (record.marks or {}).items()},
                                record.responses or {}, versions))
    current = [(q, current_version(q, quiz.scenarios.get(q.scenario or "")))
               for q in quiz.questions]
    return versions_in_order(current, seen), data


def compute(questions: list[Question] | list[Version], attempts: list[AttemptData],
            first_only: bool = True, types: QuestionTypes | None = None) -> QuizStats:
    """Every figure for a quiz from its finished attempts, per question or per version; each
    question type counts its own choices."""
    types = types or builtin_types()
    chosen = choose(attempts, first_only)
    percents = [a.percent for a in chosen]
    items_in = [x if isinstance(x, Version) else Version(x, None) for x in questions]
    points = {x.question.id: x.question.points for x in items_in}
    items = []
    for item in items_in:
        q = item.question
        seen = [a for a in chosen if q.id in a.fractions and (
            item.version is None or a.versions.get(q.id) == item.version)]
        scores = [a.fractions[q.id] for a in seen]
        # The rest of the test: marks earned on every other question of the attempt.
        rest = [sum(f * points.get(j, 1) for j, f in a.fractions.items() if j != q.id)
                for a in seen]
        disc = _correlation(scores, rest)
        items.append(ItemStats(
            q, len(seen),
            100 * stats.fmean(scores) if scores else None,
            100 * stats.pstdev(scores) if len(scores) > 1 else None,
            100 * disc if disc is not None else None,
            types.get(q.type).choices(q, [a.responses.get(q.id) for a in seen]),
            item.version, item.current))
    current = [x.question for x in items_in if x.current]
    return QuizStats(len(chosen), stats.fmean(percents) if percents else None,
                     stats.median(percents) if percents else None,
                     stats.pstdev(percents) if len(percents) > 1 else None,
                     _alpha(current, chosen), items)


def _alpha(questions: list[Question], attempts: list[AttemptData]) -> float | None:
    """Cronbach's alpha over the questions every chosen attempt answered."""
    common = [q.id for q in questions if all(q.id in a.fractions for a in attempts)]
    if len(common) < 2 or len(attempts) < 2:
        return None
    totals = [sum(a.fractions[qid] for qid in common) for a in attempts]
    total_var = stats.pvariance(totals)
    if total_var == 0:
        return None
    item_var = sum(stats.pvariance([a.fractions[qid] for a in attempts]) for qid in common)
    k = len(common)
    return 100 * (k / (k - 1)) * (1 - item_var / total_var)
