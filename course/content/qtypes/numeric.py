"""Numeric: a typed number accepted within a range (a value with a tolerance, or min to max),
several ranges with their own share of the marks."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from .. import giftsyntax as gs
from ..quiz import NumericAnswer, Question
from ..yamlfile import Path_, Reader
from .base import ZERO, Form, QuestionType, Shown, field_name, percent
from .short import read_text


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


class Numeric(QuestionType):
    """Accepted ranges with weights; `wrong_feedback` when none holds the number."""

    name, label = "numeric", "number"
    yaml_keys = frozenset({"answers", "wrong_feedback"})
    gift_rank = 10  # '{#...}'

    def read_yaml(self, r: Reader, q: dict, path: Path_) -> dict[str, Any]:
        raw = q.get("answers")
        found: list[NumericAnswer] = []
        if not isinstance(raw, list) or not raw:
            r.error((*path, "answers"), "a numeric question lists {value, tolerance} or "
                                        "{min, max}")
            raw = []
        for i, item in enumerate(raw):
            apath = (*path, "answers", i)
            if not isinstance(item, dict):
                r.error(apath, "an answer is {value, tolerance} or {min, max}")
                continue
            r.keys(item, {"value", "tolerance", "min", "max", "weight", "feedback"}, apath,
                   "answer")
            if "value" in item:
                value = r.number(item["value"], (*apath, "value"))
                tolerance = r.number(item.get("tolerance", 0), (*apath, "tolerance"))
                if value is None or tolerance is None:
                    continue
                low, high = value - abs(tolerance), value + abs(tolerance)
            else:
                low = r.number(item.get("min"), (*apath, "min"))
                high = r.number(item.get("max"), (*apath, "max"))
                if low is None or high is None:
                    continue
                if low > high:
                    r.error(apath, "'min' is larger than 'max'")
            found.append(NumericAnswer(low, high,
                                       r.weight(item.get("weight"), (*apath, "weight"), 100),
                                       r.text(item, "feedback", apath)))
        return {"numbers": tuple(found), "wrong_feedback": r.text(q, "wrong_feedback", path)}

    def write_yaml(self, q: Question) -> dict[str, Any]:
        out: dict[str, Any] = {"answers": [
            {"min": percent(n.low / 100), "max": percent(n.high / 100),
             "weight": percent(n.weight), **({"feedback": n.feedback} if n.feedback else {})}
            for n in q.numbers]}
        if q.wrong_feedback:
            out["wrong_feedback"] = q.wrong_feedback
        return out

    def claims_gift(self, answers: str) -> bool:
        return answers.startswith("#")

    def read_gift(self, answers: str) -> dict[str, Any]:
        body = answers[1:]
        wrong = ""
        if "~" in body:
            body, _, wrong_part = body.partition("~")
            wrong = gs.feedback(wrong_part)[1] or gs.restore(wrong_part)
        segments = gs.segments(body, "=") if "=" in body else [("=", body)]
        found = []
        for marker, segment in segments:
            if marker != "=" or not segment.strip():
                raise gs.GiftProblem("numeric answers look like {#value:tolerance} or "
                                     "{#min..max}")
            weight, segment = gs.weight(segment.strip())
            value, _, feedback = segment.partition("#")
            value = gs.restore(value)
            if ".." in value:
                low_text, _, high_text = value.partition("..")
                low, high = gs.number(low_text), gs.number(high_text)
                if low > high:
                    raise gs.GiftProblem("a numeric range's minimum is larger than its "
                                         "maximum")
            else:
                centre, _, tolerance = value.partition(":")
                mid = gs.number(centre)
                tol = abs(gs.number(tolerance)) if tolerance else Decimal(0)
                low, high = mid - tol, mid + tol
            found.append(NumericAnswer(low, high, Decimal(1) if weight is None else weight,
                                       gs.restore(feedback)))
        return {"type": self.name, "numbers": tuple(found), "wrong_feedback": wrong}

    def write_gift(self, q: Question) -> str | None:
        parts = []
        for n in q.numbers:
            value = f"{n.low.normalize():f}..{n.high.normalize():f}"
            parts.append(f"={gs.percent(n.weight) if n.weight != 1 else ''}{value}"
                         f"{gs.feedback_out(n.feedback)}")
        if q.wrong_feedback:
            parts.append(f"~{gs.escape(q.wrong_feedback)}")
        return "#\n" + "\n".join(parts)

    def read_form(self, q: Question, shown: Shown, form: Form) -> Any:
        return read_text(q, form)

    def form_values(self, q: Question, shown: Shown, response: Any) -> dict[str, Any]:
        return {field_name(q): str(response)}

    def mark(self, q: Question, response: Any) -> tuple[Decimal, list[str]]:
        value = parse_number(str(response))
        if value is not None:
            for answer in sorted(q.numbers, key=lambda a: a.weight, reverse=True):
                if answer.low <= value <= answer.high:
                    return answer.weight, [answer.feedback]
        return ZERO, [q.wrong_feedback]

    def correct_text(self, q: Question) -> str:
        best = max(q.numbers, key=lambda n: n.weight, default=None)
        if best is None:
            return ""
        low, high = f"{best.low.normalize():f}", f"{best.high.normalize():f}"
        return low if low == high else f"{low} to {high}"
