"""Short answer: typed text compared with accepted answers (exact or case-insensitive, `*`
matching any run of characters), each worth a share of the marks."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from .. import giftsyntax as gs
from ..quiz import Question, ShortAnswer
from ..yamlfile import Path_, Reader
from .base import ZERO, Form, QuestionType, Shown, field_name, percent

MAX_LENGTH = 500


def read_text(q: Question, form: Form) -> str | None:
    """A typed answer (short or numeric), trimmed; None if empty."""
    return (form.get(field_name(q)) or "").strip()[:MAX_LENGTH] or None


def _wildcard(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    parts = (re.escape(p) for p in " ".join(pattern.split()).split("*"))
    return re.compile(".*".join(parts), 0 if case_sensitive else re.IGNORECASE)


class Short(QuestionType):
    """Accepted answers with weights; `wrong_feedback` when none matches."""

    name, label = "short", "short answer"
    yaml_keys = frozenset({"answers", "case_sensitive", "wrong_feedback"})
    gift_rank = 50  # GIFT's fallback: '=' answers with nothing else

    def read_yaml(self, r: Reader, q: dict, path: Path_) -> dict[str, Any]:
        raw = q.get("answers")
        found: list[ShortAnswer] = []
        if not isinstance(raw, list) or not raw:
            r.error((*path, "answers"), "a short-answer question lists its accepted 'answers'")
            raw = []
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
        return {"answers": tuple(found), "wrong_feedback": r.text(q, "wrong_feedback", path),
                "case_sensitive": r.boolean(q, "case_sensitive", path, False)}

    def write_yaml(self, q: Question) -> dict[str, Any]:
        out: dict[str, Any] = {"answers": [
            {"text": a.pattern, "weight": percent(a.weight),
             **({"feedback": a.feedback} if a.feedback else {})} for a in q.answers]}
        if q.wrong_feedback:
            out["wrong_feedback"] = q.wrong_feedback
        return out

    def claims_gift(self, answers: str) -> bool:
        return True

    def read_gift(self, answers: str) -> dict[str, Any]:
        found = []
        for marker, segment in gs.segments(answers, "="):
            if marker != "=":
                raise gs.GiftProblem("short answers start with '='")
            weight, segment = gs.weight(segment)
            text, feedback = gs.feedback(segment)
            if not text:
                raise gs.GiftProblem("an empty short answer")
            found.append(ShortAnswer(text, Decimal(1) if weight is None else weight, feedback))
        if not found or max(a.weight for a in found) != 1:
            raise gs.GiftProblem("at least one short answer must be worth 100%")
        return {"type": self.name, "answers": tuple(found)}

    def write_gift(self, q: Question) -> str | None:
        return "\n".join(f"={gs.percent(a.weight) if a.weight != 1 else ''}"
                         f"{gs.escape(a.pattern)}{gs.feedback_out(a.feedback)}"
                         for a in q.answers)

    def read_form(self, q: Question, shown: Shown, form: Form) -> Any:
        return read_text(q, form)

    def form_values(self, q: Question, shown: Shown, response: Any) -> dict[str, Any]:
        return {field_name(q): str(response)}

    def mark(self, q: Question, response: Any) -> tuple[Decimal, list[str]]:
        text = " ".join(str(response).split())
        for answer in sorted(q.answers, key=lambda a: a.weight, reverse=True):
            if _wildcard(answer.pattern, q.case_sensitive).fullmatch(text):
                return answer.weight, [answer.feedback]
        return ZERO, [q.wrong_feedback]

    def correct_text(self, q: Question) -> str:
        best = max(q.answers, key=lambda a: a.weight, default=None)
        return best.pattern if best else ""
