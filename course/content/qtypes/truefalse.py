"""True or false, with feedback for a right and for a wrong answer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .. import giftsyntax as gs
from ..quiz import Question
from ..yamlfile import Path_, Reader
from .base import ONE, ZERO, Form, QuestionType, Shown, field_name


class TrueFalse(QuestionType):
    """A statement the learner judges true or false."""

    name, label = "truefalse", "true or false"
    yaml_keys = frozenset({"answer", "feedback_right", "feedback_wrong"})
    gift_rank = 40

    def read_yaml(self, r: Reader, q: dict, path: Path_) -> dict[str, Any]:
        if not isinstance(q.get("answer"), bool):
            r.error((*path, "answer"), "a true/false question needs 'answer: true' or "
                                       "'answer: false'")
        return {"correct": q.get("answer") is True,
                "feedback_right": r.text(q, "feedback_right", path),
                "feedback_wrong": r.text(q, "feedback_wrong", path)}

    def write_yaml(self, q: Question) -> dict[str, Any]:
        out: dict[str, Any] = {"answer": bool(q.correct)}
        for key in ("feedback_right", "feedback_wrong"):
            if getattr(q, key):
                out[key] = getattr(q, key)
        return out

    def claims_gift(self, answers: str) -> bool:
        return answers.partition("#")[0].strip().upper() in ("T", "TRUE", "F", "FALSE")

    def read_gift(self, answers: str) -> dict[str, Any]:
        value, _, rest = answers.partition("#")
        wrong, _, right = rest.partition("#")
        return {"type": self.name, "correct": value.strip().upper() in ("T", "TRUE"),
                "feedback_wrong": gs.restore(wrong), "feedback_right": gs.restore(right)}

    def write_gift(self, q: Question) -> str | None:
        out = "TRUE" if q.correct else "FALSE"
        if q.feedback_wrong or q.feedback_right:
            out += f"#{gs.escape(q.feedback_wrong)}#{gs.escape(q.feedback_right)}"
        return out

    def read_form(self, q: Question, shown: Shown, form: Form) -> Any:
        value = form.get(field_name(q))
        return value == "true" if value in ("true", "false") else None

    def form_values(self, q: Question, shown: Shown, response: Any) -> dict[str, Any]:
        return {field_name(q): "true" if response else "false"}

    def mark(self, q: Question, response: Any) -> tuple[Decimal, list[str]]:
        right = response is q.correct
        return (ONE if right else ZERO), [q.feedback_right if right else q.feedback_wrong]

    def choices(self, q: Question, responses: list[Any]) -> list[tuple[str, int, bool]]:
        return [("True", sum(1 for r in responses if r is True), q.correct is True),
                ("False", sum(1 for r in responses if r is False), q.correct is False)]

    def answer_text(self, q: Question, response: Any) -> str:
        return "True" if response is True else "False" if response is False else ""

    def correct_text(self, q: Question) -> str:
        return "True" if q.correct else "False"
