"""Quiz files in YAML: a strict schema, every problem reported with its file and line."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from ..errors import ContentError
from .quiz import (
    GRADING_METHODS,
    QUESTION_TYPES,
    REVIEW_ITEMS,
    REVIEW_WHEN,
    NumericAnswer,
    Option,
    Pool,
    Question,
    Quiz,
    ReviewPolicy,
    ShortAnswer,
    repeated_texts,
)
from .yamlfile import describe_type, dump_yaml, parse_yaml, yaml_error

Path_ = tuple[Any, ...]
SETTINGS = {"title", "module", "pass_mark", "draw", "shuffle_questions", "shuffle_options",
            "attempts", "cooldown_minutes", "grading", "time_limit_minutes",
            "no_retake_after_pass", "review", "scenarios", "questions", "guessing_limit"}
QUESTION_KEYS = {"id", "type", "text", "title", "points", "tags", "lesson", "scenario",
                 "feedback", "options", "answer", "feedback_right", "feedback_wrong", "answers",
                 "case_sensitive", "pairs", "items", "wrong_feedback"}
ID_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


def _lines(node: yaml.Node, path: Path_ = (), out: dict[Path_, int] | None = None
           ) -> dict[Path_, int]:
    """The 1-based line of every mapping key and list item, by its path in the document."""
    out = {} if out is None else out
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = (*path, str(key.value))
            out[sub] = key.start_mark.line + 1
            _lines(value, sub, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, (*path, i), out)
    return out


class _Reader:
    """Reads values out of the parsed document, recording typed, located errors."""

    def __init__(self, file: str, lines: dict[Path_, int], errors: list[ContentError]):
        self.file, self.lines, self.errors = file, lines, errors

    def line(self, path: Path_) -> int | None:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path)

    def error(self, path: Path_, reason: str) -> None:
        self.errors.append(ContentError(self.file, self.line(path), reason))

    def text(self, data: dict, key: str, path: Path_, required: bool = False) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.error(path, f"'{key}' is required")
            return ""
        if not isinstance(value, str):
            self.error((*path, key), f"'{key}' must be text, found {describe_type(value)}")
            return ""
        return value.strip()

    def integer(self, data: dict, key: str, path: Path_, low: int, high: int | None,
                default: Any) -> Any:
        value = data.get(key, default)
        if value is default:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < low or (
                high is not None and value > high):
            upper = f" to {high}" if high is not None else " or more"
            self.error((*path, key), f"'{key}' must be a whole number from {low}{upper}")
            return default
        return value

    def boolean(self, data: dict, key: str, path: Path_, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.error((*path, key), f"'{key}' must be true or false")
            return default
        return value

    def choice(self, data: dict, key: str, path: Path_, allowed: tuple[str, ...],
               default: str) -> str:
        value = data.get(key, default)
        if value not in allowed:
            self.error((*path, key), f"'{key}' must be one of: {', '.join(allowed)}")
            return default
        return value

    def weight(self, value: Any, path: Path_, default: int) -> Decimal:
        """A percentage from -100 to 100 as a fraction."""
        if value is None:
            value = default
        try:
            number = Decimal(str(value)) if not isinstance(value, bool) else None
        except InvalidOperation:
            number = None
        if number is None or not -100 <= number <= 100:
            self.error(path, "a weight is a percentage from -100 to 100")
            return Decimal(default) / 100
        return number / 100

    def keys(self, data: dict, allowed: set[str], path: Path_, what: str) -> None:
        for key in data:
            if key not in allowed:
                self.error((*path, str(key)), f"unknown {what} key '{key}' "
                                              f"(known: {', '.join(sorted(allowed))})")


def load_quiz_yaml(text: str, file: str, course: str, *,
                   questions_from: tuple[Question, ...] | None = None,
                   defaults: dict[str, str] | None = None
                   ) -> tuple[Quiz | None, list[ContentError]]:
    """Parse and validate one YAML quiz file.

    For a GIFT or Aiken quiz, `text` is its settings sidecar (maybe empty), `questions_from`
    the questions read from the other format, and `defaults` the title and module to assume.
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
    r = _Reader(file, _lines(node), errors)
    allowed = SETTINGS if questions_from is None else SETTINGS - {"questions", "scenarios"}
    r.keys(data, allowed, (), "quiz")
    title = r.text(data, "title", (), required=True)
    module = r.text(data, "module", (), required=True)
    review = _review(r, data.get("review") or {})
    scenarios = _scenarios(r, data.get("scenarios") or {})
    questions = (questions_from if questions_from is not None
                 else _questions(r, data.get("questions"), scenarios))
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


def _review(r: _Reader, raw: Any) -> ReviewPolicy:
    if not isinstance(raw, dict):
        r.error(("review",), "'review' maps score, right_wrong, feedback and correct_answers "
                             "to when they are shown")
        return ReviewPolicy()
    r.keys(raw, set(REVIEW_ITEMS), ("review",), "review")
    defaults = ReviewPolicy()
    return ReviewPolicy(**{item: r.choice(raw, item, ("review",), REVIEW_WHEN,
                                          getattr(defaults, item)) for item in REVIEW_ITEMS})


def _scenarios(r: _Reader, raw: Any) -> dict[str, str]:
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


def _pools(r: _Reader, raw: Any, questions: tuple[Question, ...]) -> tuple[Pool, ...]:
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


def _questions(r: _Reader, raw: Any, scenarios: dict[str, str]) -> tuple[Question, ...]:
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
        question = _question(r, item, path, scenarios)
        if question.id in seen:
            r.error((*path, "id"), f"question id '{question.id}' is used twice")
        seen.add(question.id)
        if len(r.errors) == before:
            found.append(question)
    return tuple(found)


def _question(r: _Reader, q: dict, path: Path_, scenarios: dict[str, str]) -> Question:
    r.keys(q, QUESTION_KEYS, path, "question")
    qid = q.get("id")
    if not isinstance(qid, str) or not ID_RE.match(qid):
        r.error((*path, "id"), "'id' is required: lower-case letters, digits, - or _")
        qid = f"question-{path[-1] + 1}"
    qtype = r.choice(q, "type", path, QUESTION_TYPES, "single")
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
    return Question(**base, **_answers(r, q, path, qtype))


def _answers(r: _Reader, q: dict, path: Path_, qtype: str) -> dict[str, Any]:
    if qtype in ("single", "multiple"):
        return {"options": _options(r, q, path, qtype)}
    if qtype == "truefalse":
        if not isinstance(q.get("answer"), bool):
            r.error((*path, "answer"), "a true/false question needs 'answer: true' or "
                                       "'answer: false'")
        return {"correct": q.get("answer") is True,
                "feedback_right": r.text(q, "feedback_right", path),
                "feedback_wrong": r.text(q, "feedback_wrong", path)}
    if qtype == "short":
        return {"answers": _short(r, q, path), "wrong_feedback": r.text(q, "wrong_feedback", path),
                "case_sensitive": r.boolean(q, "case_sensitive", path, False)}
    if qtype == "numeric":
        return {"numbers": _numeric(r, q, path),
                "wrong_feedback": r.text(q, "wrong_feedback", path)}
    if qtype == "matching":
        return {"pairs": _pairs(r, q, path)}
    items = q.get("items")
    if not isinstance(items, list) or len(items) < 2 or not all(isinstance(x, str) for x in items):
        r.error((*path, "items"), "an ordering question lists at least 2 'items' (quoted text), "
                                  "in the right order")
        items = []
    for i, reason in repeated_texts(items, "item"):
        r.error((*path, "items", i), reason)
    return {"order": tuple(x.strip() for x in items)}


def _options(r: _Reader, q: dict, path: Path_, qtype: str) -> tuple[Option, ...]:
    raw = q.get("options")
    if not isinstance(raw, list) or len(raw) < 2:
        r.error((*path, "options"), "a choice question needs at least 2 'options'")
        return ()
    options = []
    for i, item in enumerate(raw):
        opath = (*path, "options", i)
        if not isinstance(item, dict):
            r.error(opath, "each option is {text, correct or weight, feedback}")
            continue
        r.keys(item, {"text", "correct", "weight", "feedback"}, opath, "option")
        text = r.text(item, "text", opath, required=True)
        if "correct" in item and not isinstance(item["correct"], bool):
            r.error((*opath, "correct"), "'correct' must be true or false")
        weight = (Decimal(1) if item.get("correct") is True and "weight" not in item
                  else r.weight(item.get("weight"), (*opath, "weight"), 0))
        options.append(Option(text, weight, r.text(item, "feedback", opath)))
    for i, reason in repeated_texts([str(o.text) for o in options], "option"):
        r.error((*path, "options", i), reason)
    if qtype == "single" and sum(1 for o in options if o.weight == 1) != 1:
        r.error((*path, "options"), "a single-choice question has exactly one option with "
                                    "'correct: true'")
    if qtype == "multiple" and sum(o.weight for o in options if o.weight > 0) != 1:
        r.error((*path, "options"), "the positive weights of a multiple-choice question must "
                                    "add up to 100")
    return tuple(options)


def _short(r: _Reader, q: dict, path: Path_) -> tuple[ShortAnswer, ...]:
    raw = q.get("answers")
    if not isinstance(raw, list) or not raw:
        r.error((*path, "answers"), "a short-answer question lists its accepted 'answers'")
        return ()
    found = []
    for i, item in enumerate(raw):
        apath = (*path, "answers", i)
        if isinstance(item, str):
            found.append(ShortAnswer(item.strip()))
        elif isinstance(item, dict) and isinstance(item.get("text"), str):
            r.keys(item, {"text", "weight", "feedback"}, apath, "answer")
            found.append(ShortAnswer(item["text"].strip(),
                                     r.weight(item.get("weight"), (*apath, "weight"), 100),
                                     r.text(item, "feedback", apath)))
        else:
            r.error(apath, "an answer is quoted text or {text, weight, feedback}")
    if found and max(a.weight for a in found) != 1:
        r.error((*path, "answers"), "at least one answer must be worth 100")
    return tuple(found)


def _number(r: _Reader, value: Any, path: Path_) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        r.error(path, "expected a number")
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        r.error(path, f"'{value}' is not a number")
        return None


def _numeric(r: _Reader, q: dict, path: Path_) -> tuple[NumericAnswer, ...]:
    raw = q.get("answers")
    if not isinstance(raw, list) or not raw:
        r.error((*path, "answers"), "a numeric question lists {value, tolerance} or {min, max}")
        return ()
    found = []
    for i, item in enumerate(raw):
        apath = (*path, "answers", i)
        if not isinstance(item, dict):
            r.error(apath, "an answer is {value, tolerance} or {min, max}")
            continue
        r.keys(item, {"value", "tolerance", "min", "max", "weight", "feedback"}, apath,
               "answer")
        if "value" in item:
            value = _number(r, item["value"], (*apath, "value"))
            tolerance = _number(r, item.get("tolerance", 0), (*apath, "tolerance"))
            if value is None or tolerance is None:
                continue
            low, high = value - abs(tolerance), value + abs(tolerance)
        else:
            low = _number(r, item.get("min"), (*apath, "min"))
            high = _number(r, item.get("max"), (*apath, "max"))
            if low is None or high is None:
                continue
            if low > high:
                r.error(apath, "'min' is larger than 'max'")
        found.append(NumericAnswer(low, high, r.weight(item.get("weight"), (*apath, "weight"),
                                                       100), r.text(item, "feedback", apath)))
    return tuple(found)


def _pairs(r: _Reader, q: dict, path: Path_) -> tuple[tuple[str, str], ...]:
    raw = q.get("pairs")
    if not isinstance(raw, list) or len(raw) < 2:
        r.error((*path, "pairs"), "a matching question lists at least 2 {prompt, answer} pairs")
        return ()
    pairs = []
    for i, item in enumerate(raw):
        ppath = (*path, "pairs", i)
        if not isinstance(item, dict) or set(item) != {"prompt", "answer"} or not all(
                isinstance(v, str) for v in item.values()):
            r.error(ppath, "each pair is {prompt: \"...\", answer: \"...\"} in quotes")
            continue
        pairs.append((item["prompt"].strip(), item["answer"].strip()))
    for what, column in (("prompt", 0), ("answer", 1)):
        for i, reason in repeated_texts([p[column] for p in pairs], what):
            r.error((*path, "pairs", i), reason)
    return tuple(pairs)


def line_map(node: yaml.Node) -> dict[Path_, int]:
    """The 1-based line of every key and list item of a composed YAML document, by path."""
    return _lines(node)


def read_question(item: Any, file: str, lines: dict[Path_, int], path: Path_
                  ) -> tuple[Question | None, list[ContentError]]:
    """One question in the quiz schema, written outside a quiz file (a lesson's practice
    block); `lines` maps paths of the surrounding document to lines of `file`."""
    errors: list[ContentError] = []
    r = _Reader(file, lines, errors)
    if not isinstance(item, dict):
        r.error(path, "a question is a mapping (id, type, text, ...) as in a quiz file")
        return None, errors
    question = _question(r, item, path, {})
    return (None if errors else question), errors


# ---------------------------------------------------------------- writing
def _percent(weight: Decimal) -> int | float:
    value = weight * 100
    return int(value) if value == value.to_integral_value() else float(value)


def _question_out(q: Question) -> dict[str, Any]:
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
    if q.type in ("single", "multiple"):
        out["options"] = []
        for o in q.options:
            option: dict[str, Any] = {"text": o.text}
            if q.type == "single" and o.weight == 1:
                option["correct"] = True
            elif o.weight:
                option["weight"] = _percent(o.weight)
            if o.feedback:
                option["feedback"] = o.feedback
            out["options"].append(option)
    elif q.type == "truefalse":
        out["answer"] = bool(q.correct)
        for key in ("feedback_right", "feedback_wrong"):
            if getattr(q, key):
                out[key] = getattr(q, key)
    elif q.type == "short":
        out["answers"] = [{"text": a.pattern, "weight": _percent(a.weight),
                           **({"feedback": a.feedback} if a.feedback else {})}
                          for a in q.answers]
    elif q.type == "numeric":
        out["answers"] = [{"min": _percent(n.low / 100), "max": _percent(n.high / 100),
                           "weight": _percent(n.weight),
                           **({"feedback": n.feedback} if n.feedback else {})}
                          for n in q.numbers]
    elif q.type == "matching":
        out["pairs"] = [{"prompt": p, "answer": a} for p, a in q.pairs]
    else:
        out["items"] = list(q.order)
    if q.type in ("short", "numeric") and q.wrong_feedback:
        out["wrong_feedback"] = q.wrong_feedback
    if q.general_feedback:
        out["feedback"] = q.general_feedback
    return out


def write_quiz_yaml(quiz: Quiz) -> str:
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
    data["questions"] = [_question_out(q) for q in quiz.questions]
    return dump_yaml(data)
