"""GIFT, Moodle's plain-text quiz format: our own reader and writer (pure).

Reads the syntax Moodle documents: `//` comment lines, `$CATEGORY:`, `::title::`, `[html]`,
`[moodle]`, `[plain]` and `[markdown]` text formats, answers in braces (single and multiple
choice with `%weight%`, true/false with wrong/right feedback, short answer, numeric with
`value:tolerance`, `min..max` and several weighted answers, matching with `->`), missing-word
questions (answers inside the sentence), per-answer `#feedback`, general `####feedback`, and the
escapes `\\~ \\= \\# \\{ \\} \\: \\n \\\\`. Essays and descriptions are refused: they cannot be
graded automatically.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

import nh3

from ..errors import ContentError
from .quiz import NumericAnswer, Option, Question, Quiz, ShortAnswer, answer_text_problems
from .yamlfile import strip_bom

ESCAPES = {"\\\\": "\ue000", "\\~": "\ue001", "\\=": "\ue002", "\\#": "\ue003",
           "\\{": "\ue004", "\\}": "\ue005", "\\:": "\ue006", "\\n": "\ue007"}
RESTORE = {"\ue000": "\\", "\ue001": "~", "\ue002": "=", "\ue003": "#", "\ue004": "{",
           "\ue005": "}", "\ue006": ":", "\ue007": "\n"}
FORMAT = re.compile(r"^\[(html|moodle|plain|markdown)\]", re.I)
WEIGHT = re.compile(r"^%(-?\d{1,3}(?:\.\d+)?)%")
MISSING = "_____"


@dataclass
class GiftResult:
    """What a GIFT file held: its questions and every problem, with lines."""

    questions: list[Question] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)


def _protect(text: str) -> str:
    for escape, placeholder in ESCAPES.items():
        text = text.replace(escape, placeholder)
    return text


def _restore(text: str) -> str:
    for placeholder, char in RESTORE.items():
        text = text.replace(placeholder, char)
    return text.strip()


def _blocks(text: str) -> list[tuple[int, str]]:
    """Questions are separated by blank lines; comment lines are dropped. (line, text) each."""
    blocks: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith("//"):
            continue
        if not line.strip():
            if current:
                blocks.append((start, "\n".join(current)))
                current = []
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        blocks.append((start, "\n".join(current)))
    return blocks


def _weight(segment: str) -> tuple[Decimal | None, str]:
    match = WEIGHT.match(segment)
    if not match:
        return None, segment
    return Decimal(match.group(1)) / 100, segment[match.end():]


def _feedback(segment: str) -> tuple[str, str]:
    text, _, feedback = segment.partition("#")
    return _restore(text), _restore(feedback)


def _segments(answers: str, markers: str) -> list[tuple[str, str]]:
    """Split `=a#f ~b` into [('=', 'a#f'), ('~', 'b')] at each marker character."""
    parts = re.split(f"([{re.escape(markers)}])", answers)
    found = []
    if parts[0].strip():
        found.append(("", parts[0]))
    for i in range(1, len(parts), 2):
        found.append((parts[i], parts[i + 1].strip()))
    return found


class _Problem(Exception):
    pass


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def _choice(answers: str) -> dict:
    options = []
    for marker, segment in _segments(answers, "~="):
        if not marker:
            raise _Problem("each choice starts with '=' (right) or '~' (wrong)")
        weight, segment = _weight(segment)
        text, feedback = _feedback(segment)
        if not text:
            raise _Problem("a choice has no text")
        weight = Decimal(1) if marker == "=" and weight is None else (weight or Decimal(0))
        options.append(Option(text, weight, feedback))
    if len(options) < 2:
        raise _Problem("a choice question needs at least 2 choices")
    single = any(m == "=" for m, _ in _segments(answers, "~="))
    if single and sum(1 for o in options if o.weight == 1) != 1:
        raise _Problem("a single-choice question has exactly one '=' answer")
    if not single and sum(o.weight for o in options if o.weight > 0) != 1:
        raise _Problem("the positive %weights% of a multiple-answer question must add up to 100")
    return {"type": "single" if single else "multiple", "options": tuple(options)}


def _truefalse(answers: str) -> dict:
    value, _, rest = answers.partition("#")
    wrong, _, right = rest.partition("#")
    return {"type": "truefalse", "correct": value.strip().upper() in ("T", "TRUE"),
            "feedback_wrong": _restore(wrong), "feedback_right": _restore(right)}


def _short(answers: str) -> dict:
    found = []
    for marker, segment in _segments(answers, "="):
        if marker != "=":
            raise _Problem("short answers start with '='")
        weight, segment = _weight(segment)
        text, feedback = _feedback(segment)
        if not text:
            raise _Problem("an empty short answer")
        found.append(ShortAnswer(text, Decimal(1) if weight is None else weight, feedback))
    if not found or max(a.weight for a in found) != 1:
        raise _Problem("at least one short answer must be worth 100%")
    return {"type": "short", "answers": tuple(found)}


def _number(text: str) -> Decimal:
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        raise _Problem(f"'{text.strip()}' is not a number") from None


def _numeric(answers: str) -> dict:
    body = answers[1:]
    wrong = ""
    if "~" in body:
        body, _, wrong_part = body.partition("~")
        wrong = _feedback(wrong_part)[1] or _restore(wrong_part)
    segments = _segments(body, "=") if "=" in body else [("=", body)]
    found = []
    for marker, segment in segments:
        if marker != "=" or not segment.strip():
            raise _Problem("numeric answers look like {#value:tolerance} or {#min..max}")
        weight, segment = _weight(segment.strip())
        value, _, feedback = segment.partition("#")
        value = _restore(value)
        if ".." in value:
            low_text, _, high_text = value.partition("..")
            low, high = _number(low_text), _number(high_text)
            if low > high:
                raise _Problem("a numeric range's minimum is larger than its maximum")
        else:
            centre, _, tolerance = value.partition(":")
            mid, tol = _number(centre), abs(_number(tolerance)) if tolerance else Decimal(0)
            low, high = mid - tol, mid + tol
        found.append(NumericAnswer(low, high, Decimal(1) if weight is None else weight,
                                   _restore(feedback)))
    return {"type": "numeric", "numbers": tuple(found), "wrong_feedback": wrong}


def _matching(answers: str) -> dict:
    pairs = []
    for marker, segment in _segments(answers, "="):
        prompt, arrow, answer = segment.partition("->")
        if marker != "=" or not arrow or not _restore(answer):
            raise _Problem("matching pairs look like =prompt -> answer")
        pairs.append((_restore(prompt), _restore(answer)))
    if len(pairs) < 2:
        raise _Problem("a matching question needs at least 2 pairs")
    return {"type": "matching", "pairs": tuple(pairs)}


def _answers(answers: str) -> dict:
    stripped = answers.strip()
    if not stripped:
        raise _Problem("essay questions ({}) cannot be graded automatically and are not "
                       "supported")
    if stripped.startswith("#"):
        return _numeric(stripped)
    if "~" in stripped:
        return _choice(stripped)
    if "=" in stripped and "->" in stripped:
        return _matching(stripped)
    if stripped.partition("#")[0].strip().upper() in ("T", "TRUE", "F", "FALSE"):
        return _truefalse(stripped)
    return _short(stripped)


def _question(block: str, line: int, number: int, category: str | None) -> Question:
    text = block.strip()
    title = ""
    if text.startswith("::"):
        title, sep, rest = text[2:].partition("::")
        if not sep:
            raise _Problem("the title's closing '::' is missing")
        title, text = _restore(title), rest.strip()
    fmt = FORMAT.match(text)
    text = FORMAT.sub("", text).strip()
    if fmt and fmt.group(1).lower() == "html":
        # Question text is shown as plain text: keep the words, drop the markup.
        text = html.unescape(nh3.clean(text, tags=set())).strip()
    open_at, close_at = text.find("{"), text.find("}")
    if open_at < 0 and close_at < 0:
        raise _Problem("text without answers in braces is a description, not a question; "
                       "descriptions are not supported")
    if open_at < 0 or close_at < open_at:
        raise _Problem("a '{' or '}' is missing (write \\{ or \\} for a literal brace)")
    after = text[close_at + 1:]
    if "{" in after or "}" in after:
        raise _Problem("one answer block per question")
    answers = text[open_at + 1:close_at]
    general = ""
    if "####" in answers:
        answers, _, general = answers.rpartition("####")
    before, after = text[:open_at].rstrip(), after.strip()
    if after:  # answers inside the sentence: a missing-word question
        stem = f"{before} {MISSING}" + ("" if after[0] in ".,;:!?)" else " ") + after
    else:
        stem = before
    fields = _answers(answers)
    qid = _slug(title) or f"q{number}"
    tags = (_slug(category.split("/")[-1]),) if category and _slug(category) else ()
    return Question(id=qid, text=_restore(stem), line=line,
                    title=title, tags=tags, general_feedback=_restore(general), **fields)


def parse_gift(text: str, file: str) -> GiftResult:
    """Every question of a GIFT file, and every problem with its line."""
    result = GiftResult()
    category = None
    seen: dict[str, int] = {}
    for number, (line, block) in enumerate(_blocks(_protect(strip_bom(text))), start=1):
        if block.strip().startswith("$CATEGORY:"):
            category = _restore(block.strip()[len("$CATEGORY:"):])
            continue
        try:
            question = _question(block, line, number, category)
        except _Problem as exc:
            result.errors.append(ContentError(file, line, str(exc)))
            continue
        result.errors += [ContentError(file, line, reason)
                          for reason in answer_text_problems(question)]
        if question.id in seen:
            seen[question.id] += 1
            question = _with_id(question, f"{question.id}-{seen[question.id]}")
        else:
            seen[question.id] = 1
        result.questions.append(question)
    return result


def _with_id(question: Question, qid: str) -> Question:
    return replace(question, id=qid)


# ---------------------------------------------------------------- writing
def _escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def _percent(weight: Decimal) -> str:
    value = (weight * 100).normalize()
    return f"%{value:f}%"


def _feedback_out(feedback: str) -> str:
    return f" #{_escape(feedback)}" if feedback else ""


def _answers_out(q: Question) -> str:
    if q.type in ("single", "multiple"):
        parts = []
        for o in q.options:
            if q.type == "single" and o.weight == 1:
                parts.append(f"={_escape(o.text)}")
            else:
                prefix = _percent(o.weight) if o.weight else ""
                parts.append(f"~{prefix}{_escape(o.text)}")
            parts[-1] += _feedback_out(o.feedback)
        return "\n".join(parts)
    if q.type == "truefalse":
        out = "TRUE" if q.correct else "FALSE"
        if q.feedback_wrong or q.feedback_right:
            out += f"#{_escape(q.feedback_wrong)}#{_escape(q.feedback_right)}"
        return out
    if q.type == "short":
        return "\n".join(f"={_percent(a.weight) if a.weight != 1 else ''}{_escape(a.pattern)}"
                         f"{_feedback_out(a.feedback)}" for a in q.answers)
    if q.type == "numeric":
        parts = []
        for n in q.numbers:
            value = f"{n.low.normalize():f}..{n.high.normalize():f}"
            parts.append(f"={_percent(n.weight) if n.weight != 1 else ''}{value}"
                         f"{_feedback_out(n.feedback)}")
        if q.wrong_feedback:
            parts.append(f"~{_escape(q.wrong_feedback)}")
        return "#\n" + "\n".join(parts)
    if q.type == "matching":
        return "\n".join(f"={_escape(p)} -> {_escape(a)}" for p, a in q.pairs)
    raise ValueError(q.type)


def write_gift(quiz: Quiz) -> str:
    """The quiz's questions as GIFT; questions GIFT cannot express become comments."""
    lines = [f"// {quiz.title}", f"$CATEGORY: {quiz.course}/{quiz.module}", ""]
    for q in quiz.questions:
        if q.type == "ordering":
            lines += [f"// question '{q.id}' is an ordering question: GIFT has no such type",
                      ""]
            continue
        stem = q.text
        if q.scenario and q.scenario in quiz.scenarios:
            stem = f"{quiz.scenarios[q.scenario]}\n\n{stem}"
        general = f"\n####{_escape(q.general_feedback)}" if q.general_feedback else ""
        lines += [f"::{_escape(q.id)}:: [markdown]{_escape(stem)} {{",
                  _answers_out(q) + general, "}", ""]
    return "\n".join(lines)
