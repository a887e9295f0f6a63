"""A blind trial of a quiz bank (pure): a question sheet someone who has not read the lessons can
answer on paper or in a text file, with the key kept apart, and the marking of their answers.

The check's figures (`itemcheck`) measure surface cues; a blind trial measures what a reader
without the lessons actually scores. `flask course blind-trial` writes the sheet and the key;
`flask course blind-score` marks an answers file against the key.

Single-choice, multiple-response and true/false questions take part (their options lettered in
a shuffled order, so a key's position gives nothing away); other types are left out and
counted. The sheet carries each question's scenario and text and nothing else: no feedback, no
lesson, no tags.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass

from .quiz import Question, Quiz

LETTERS = "ABCDEFGHIJ"
TRIAL_TYPES = ("single", "multiple", "truefalse")
_LINE = re.compile(r"^\s*(\d+)\s*[:.)]?\s*([A-Ja-j](?:\s*[, ]\s*[A-Ja-j])*)\s*$")


@dataclass(frozen=True)
class Sheet:
    """The question sheet (plain text), its key (JSON-ready) and the questions left out."""

    text: str
    key: dict
    left_out: int


def _answer(q: Question, order: list[int]) -> str:
    if q.type == "truefalse":
        return "A" if q.correct else "B"
    right = [LETTERS[i] for i, original in enumerate(order) if q.options[original].weight > 0]
    return ",".join(right) if q.type == "multiple" else right[0]


def one_form(quiz: Quiz, seed: int) -> list[Question]:
    """The questions of one form, drawn as an attempt draws them: each pool's count from the
    questions carrying its tag (no question twice), in bank order; the whole bank without
    pools. A reader of one form cannot learn one item's answer from another the attempt would
    not have shown."""
    if not quiz.pools:
        return list(quiz.questions)
    rng, chosen = random.Random(seed), []
    for pool in quiz.pools:
        candidates = [q for q in quiz.questions
                      if (pool.tag is None or pool.tag in q.tags) and q not in chosen]
        chosen += rng.sample(candidates, min(pool.count, len(candidates)))
    return sorted(chosen, key=quiz.questions.index)


def make_sheet(quiz: Quiz, seed: int = 0, form: bool = False) -> Sheet:
    """The sheet and key for every question of `quiz` that a blind trial can use, or, with
    `form`, for the questions of one attempt's draw (seeded by `seed`)."""
    rng = random.Random(seed)
    questions = one_form(quiz, seed) if form else list(quiz.questions)
    blocks: list[str] = []  # the questions; the header, which counts them, goes first below
    items: dict[str, dict] = {}
    left_out = 0
    for q in questions:
        if q.type not in TRIAL_TYPES or (q.type != "truefalse" and not q.options):
            left_out += 1
            continue
        number = str(len(items) + 1)
        lines = [f"{number}. "]
        if q.scenario and quiz.scenarios.get(q.scenario):
            lines[0] += f"Scenario: {quiz.scenarios[q.scenario]}\n   "
        if q.type == "truefalse":
            lines[0] += f"True or false? {q.text}"
            lines += ["   A) True", "   B) False"]
            order: list[int] = []
        else:
            order = list(range(len(q.options)))
            rng.shuffle(order)
            asks = q.type == "multiple" and "all that apply" not in q.text.lower()
            lines[0] += q.text + (" (choose all that apply)" if asks else "")
            lines += [f"   {LETTERS[i]}) {q.options[original].text}"
                      for i, original in enumerate(order)]
        blocks.append("\n".join(lines))
        items[number] = {"id": q.id, "type": q.type, "answer": _answer(q, order)}
    what = ""
    if form:
        what = (f"one attempt's draw: {len(items)} of its {quiz.per_attempt} questions, the "
                "others of types a sheet cannot hold; " if left_out else
                f"one attempt's draw of {quiz.per_attempt} questions; ")
    header = (f"{quiz.title}: a blind trial ({what}{quiz.pass_mark}% passes)\n\n"
              "Answer each question with its letter (several letters, comma-separated, where it "
              "says 'choose all that apply'), one line per question: '3: B'.\n")
    key = {"quiz": quiz.title, "pass_mark": quiz.pass_mark, "seed": seed, "form": form,
           "items": items}
    return Sheet("\n\n".join([header, *blocks]) + "\n", key, left_out)


@dataclass(frozen=True)
class Score:
    """How an answers file did against a key."""

    right: int
    total: int
    unanswered: int
    pass_mark: int
    wrong: tuple[str, ...]  # question numbers answered wrongly or not at all

    @property
    def percent(self) -> float:
        return 100 * self.right / self.total if self.total else 0.0

    @property
    def passed(self) -> bool:
        return self.percent >= self.pass_mark


class AnswersError(ValueError):
    """An answers file that cannot be read; the message names every bad line."""


def read_answers(text: str) -> dict[str, str]:
    """Answers from a JSON object {"3": "B"} or from lines '3: B' / '4 A,C' (blank lines and
    lines starting with # are skipped). Raises AnswersError naming every bad line."""
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise AnswersError(f"not valid JSON: {exc}") from exc
        return {str(k).strip(): _letters(str(v)) for k, v in data.items()}
    found: dict[str, str] = {}
    bad: list[str] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            bad.append(f"line {n}: expected 'NUMBER: LETTER', got {line.strip()[:40]!r}")
            continue
        found[match.group(1)] = _letters(match.group(2))
    if bad:
        raise AnswersError("; ".join(bad))
    return found


def _letters(value: str) -> str:
    return ",".join(sorted({c.upper() for c in value if c.isalpha()}))


def score(key: dict, answers: dict[str, str]) -> Score:
    """Mark `answers` (question number -> letters) against a key made by `make_sheet`."""
    items = key.get("items", {})
    right, wrong, unanswered = 0, [], 0
    for number, item in items.items():
        given = answers.get(number)
        if not given:
            unanswered += 1
        if given and given == _letters(item["answer"]):
            right += 1
        else:
            wrong.append(number)
    return Score(right, len(items), unanswered, int(key.get("pass_mark", 80)), tuple(wrong))
