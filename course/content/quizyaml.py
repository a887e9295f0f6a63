"""Quiz files in YAML: a strict schema, every problem reported with its file and line."""

from __future__ import annotations

import re
from typing import Any

import yaml

from ..errors import ContentError
from .qtypes import QuestionTypes, builtin_types
from .quiz import (
    GRADING_METHODS,
    REVIEW_ITEMS,
    REVIEW_WHEN,
    Pool,
    Question,
    Quiz,
    ReviewPolicy,
)
from .yamlfile import Path_, Reader, dump_yaml, line_map, parse_yaml, yaml_error

SETTINGS = {"title", "module", "pass_mark", "draw", "shuffle_questions", "shuffle_options",
            "attempts", "cooldown_minutes", "grading", "time_limit_minutes",
            "no_retake_after_pass", "review", "scenarios", "questions", "guessing_limit"}
#: The keys every question may have; each type adds its own (`QuestionType.yaml_keys`).
COMMON_KEYS = {"id", "type", "text", "title", "points", "tags", "lesson", "scenario",
               "feedback"}
ID_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


def load_quiz_yaml(text: str, file: str, course: str, *,
                   questions_from: tuple[Question, ...] | None = None,
                   defaults: dict[str, str] | None = None,
                   types: QuestionTypes | None = None
                   ) -> tuple[Quiz | None, list[ContentError]]:
    """Parse and validate one YAML quiz file.

    For a GIFT or Aiken quiz, `text` is its settings sidecar (maybe empty), `questions_from`
    the questions read from the other format, and `defaults` the title and module to assume.
    `types` are the question types the plugin knows (the built-in ones by default).
    """
    errors: list[ContentError] = []
    try:
        node, data = parse_yaml(text)
    except yaml.YAMLError as exc:
        return None, [yaml_error(exc, file)]
    if data is None and questions_from is not None:
        node, data = parse_yaml("{}")
    if not isinstance(data, dict) or node is None:
        return None, [ContentError(file, 1, "a quiz file is a YAML mapping of settings and "
                                            "'questions'")]
    for key, value in (defaults or {}).items():
        data.setdefault(key, value)
    r = Reader(file, line_map(node), errors)
    allowed = SETTINGS if questions_from is None else SETTINGS - {"questions", "scenarios"}
    r.keys(data, allowed, (), "quiz")
    title = r.text(data, "title", (), required=True)
    module = r.text(data, "module", (), required=True)
    review = _review(r, data.get("review") or {})
    scenarios = _scenarios(r, data.get("scenarios") or {})
    questions = (questions_from if questions_from is not None
                 else _questions(r, data.get("questions"), scenarios,
                                 types or builtin_types()))
    pools = _pools(r, data.get("draw"), questions)
    quiz = Quiz(
        course, module, file, title,
        pass_mark=r.integer(data, "pass_mark", (), 0, 100, 80),
        pools=pools,
        shuffle_questions=r.boolean(data, "shuffle_questions", (), True),
        shuffle_options=r.boolean(data, "shuffle_options", (), True),
        attempts=r.integer(data, "attempts", (), 1, None, None),
        cooldown_minutes=r.integer(data, "cooldown_minutes", (), 0, None, 0),
        grading=r.choice(data, "grading", (), GRADING_METHODS, "highest"),
        time_limit_minutes=r.integer(data, "time_limit_minutes", (), 1, None, None),
        no_retake_after_pass=r.boolean(data, "no_retake_after_pass", (), False),
        guessing_limit=r.integer(data, "guessing_limit", (), 1, 100, 50),
        review=review, scenarios=scenarios, questions=questions)
    return (None if errors else quiz), errors


def _review(r: Reader, raw: Any) -> ReviewPolicy:
    if not isinstance(raw, dict):
        r.error(("review",), "'review' maps score, right_wrong, feedback and correct_answers "
                             "to when they are shown")
        return ReviewPolicy()
    r.keys(raw, set(REVIEW_ITEMS), ("review",), "review")
    defaults = ReviewPolicy()
    return ReviewPolicy(**{item: r.choice(raw, item, ("review",), REVIEW_WHEN,
                                          getattr(defaults, item)) for item in REVIEW_ITEMS})


def _scenarios(r: Reader, raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        r.error(("scenarios",), "'scenarios' maps a scenario id to its text")
        return {}
    found = {}
    for key, value in raw.items():
        if not isinstance(value, str) or not value.strip():
            r.error(("scenarios", str(key)), f"scenario '{key}' must be text")
        else:
            found[str(key)] = value.strip()
    return found


def _pools(r: Reader, raw: Any, questions: tuple[Question, ...]) -> tuple[Pool, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        r.error(("draw",), "'draw' is a list of {count} or {tag, count}")
        return ()
    pools = []
    for i, item in enumerate(raw):
        path = ("draw", i)
        if not isinstance(item, dict) or set(item) - {"count", "tag"}:
            r.error(path, "each 'draw' entry is {count: N} or {tag: name, count: N}")
            continue
        count = r.integer(item, "count", path, 1, None, None)
        tag = item.get("tag")
        if count is None:
            r.error(path, "'count' is required")
            continue
        available = [q for q in questions if tag is None or tag in q.tags]
        if count > len(available):
            r.error(path, f"draws {count} question(s) {f'tagged {tag!r} ' if tag else ''}"
                          f"but only {len(available)} exist")
        pools.append(Pool(count, tag))
    return tuple(pools)


def _questions(r: Reader, raw: Any, scenarios: dict[str, str], types: QuestionTypes
               ) -> tuple[Question, ...]:
    if not isinstance(raw, list) or not raw:
        r.error(("questions",), "'questions' must be a non-empty list")
        return ()
    found: list[Question] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        path = ("questions", i)
        if not isinstance(item, dict):
            r.error(path, "each question is a mapping (id, type, text, ...)")
            continue
        before = len(r.errors)
        question = _question(r, item, path, scenarios, types)
        if question.id in seen:
            r.error((*path, "id"), f"question id '{question.id}' is used twice")
        seen.add(question.id)
        if len(r.errors) == before:
            found.append(question)
    return tuple(found)


def _question(r: Reader, q: dict, path: Path_, scenarios: dict[str, str],
              types: QuestionTypes) -> Question:
    r.keys(q, COMMON_KEYS | types.yaml_keys(), path, "question")
    qid = q.get("id")
    if not isinstance(qid, str) or not ID_RE.match(qid):
        r.error((*path, "id"), "'id' is required: lower-case letters, digits, - or _")
        qid = f"question-{path[-1] + 1}"
    qtype = r.choice(q, "type", path, types.names, "single")
    scenario = q.get("scenario")
    if scenario is not None and scenario not in scenarios:
        r.error((*path, "scenario"), f"scenario '{scenario}' is not defined under 'scenarios'")
    tags = q.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        r.error((*path, "tags"), "'tags' must be a list of text")
        tags = []
    base = dict(id=qid, type=qtype, text=r.text(q, "text", path, required=True),
                line=r.line(path), title=r.text(q, "title", path),
                points=r.integer(q, "points", path, 1, 100, 1), tags=tuple(tags),
                lesson=r.text(q, "lesson", path) or None, scenario=scenario,
                general_feedback=r.text(q, "feedback", path))
    return Question(**base, **types.get(qtype).read_yaml(r, q, path))


def read_question(item: Any, file: str, lines: dict[Path_, int], path: Path_,
                  types: QuestionTypes | None = None
                  ) -> tuple[Question | None, list[ContentError]]:
    """One question in the quiz schema, written outside a quiz file (a lesson's practice
    block); `lines` maps paths of the surrounding document to lines of `file`."""
    errors: list[ContentError] = []
    r = Reader(file, lines, errors)
    if not isinstance(item, dict):
        r.error(path, "a question is a mapping (id, type, text, ...) as in a quiz file")
        return None, errors
    question = _question(r, item, path, {}, types or builtin_types())
    return (None if errors else question), errors


# ---------------------------------------------------------------- writing
def _question_out(q: Question, types: QuestionTypes) -> dict[str, Any]:
    out: dict[str, Any] = {"id": q.id, "type": q.type}
    if q.title and q.title != q.id:
        out["title"] = q.title
    for key, value in (("lesson", q.lesson), ("scenario", q.scenario)):
        if value:
            out[key] = value
    if q.tags:
        out["tags"] = list(q.tags)
    if q.points != 1:
        out["points"] = q.points
    out["text"] = q.text
    out.update(types.get(q.type).write_yaml(q))
    if q.general_feedback:
        out["feedback"] = q.general_feedback
    return out


def write_quiz_yaml(quiz: Quiz, types: QuestionTypes | None = None) -> str:
    """The quiz as a YAML file in our schema (what `flask course import` writes)."""
    data: dict[str, Any] = {"title": quiz.title, "module": quiz.module,
                            "pass_mark": quiz.pass_mark}
    if quiz.pools:
        data["draw"] = [{"count": p.count, **({"tag": p.tag} if p.tag else {})}
                        for p in quiz.pools]
    data.update(shuffle_questions=quiz.shuffle_questions, shuffle_options=quiz.shuffle_options,
                grading=quiz.grading, no_retake_after_pass=quiz.no_retake_after_pass)
    for key in ("attempts", "time_limit_minutes"):
        if getattr(quiz, key) is not None:
            data[key] = getattr(quiz, key)
    if quiz.cooldown_minutes:
        data["cooldown_minutes"] = quiz.cooldown_minutes
    if quiz.guessing_limit != Quiz.guessing_limit:
        data["guessing_limit"] = quiz.guessing_limit
    data["review"] = {item: getattr(quiz.review, item) for item in REVIEW_ITEMS}
    if quiz.scenarios:
        data["scenarios"] = dict(quiz.scenarios)
    data["questions"] = [_question_out(q, types or builtin_types())
                         for q in quiz.questions]
    return dump_yaml(data)
