"""What single- and multiple-choice questions share (pure): options with weights read from YAML
and GIFT and written back, shuffled per attempt, counted for the statistics, put in words."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .. import giftsyntax as gs
from ..quiz import Option, Question, repeated_texts
from ..yamlfile import Path_, Reader
from .base import Orderer, QuestionType, Shown, indices, percent


class ChoiceType(QuestionType):
    """Options, each worth a share of the question's marks (a subclass says how many count)."""

    yaml_keys = frozenset({"options"})

    def check(self, options: tuple[Option, ...]) -> str | None:
        """What is wrong with the options' weights for this type, in YAML words, or None."""
        raise NotImplementedError

    def check_gift(self, options: tuple[Option, ...]) -> str | None:
        """The same, in GIFT words."""
        raise NotImplementedError

    def read_yaml(self, r: Reader, q: dict, path: Path_) -> dict[str, Any]:
        raw = q.get("options")
        if not isinstance(raw, list) or len(raw) < 2:
            r.error((*path, "options"), "a choice question needs at least 2 'options'")
            return {"options": ()}
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
        problem = self.check(tuple(options))
        if problem:
            r.error((*path, "options"), problem)
        return {"options": tuple(options)}

    def write_yaml(self, q: Question) -> dict[str, Any]:
        options = []
        for o in q.options:
            option: dict[str, Any] = {"text": o.text}
            if self.name == "single" and o.weight == 1:
                option["correct"] = True
            elif o.weight:
                option["weight"] = percent(o.weight)
            if o.feedback:
                option["feedback"] = o.feedback
            options.append(option)
        return {"options": options}

    def read_gift(self, answers: str) -> dict[str, Any]:
        options = []
        for marker, segment in gs.segments(answers, "~="):
            if not marker:
                raise gs.GiftProblem("each choice starts with '=' (right) or '~' (wrong)")
            weight, segment = gs.weight(segment)
            text, feedback = gs.feedback(segment)
            if not text:
                raise gs.GiftProblem("a choice has no text")
            weight = Decimal(1) if marker == "=" and weight is None else (weight or Decimal(0))
            options.append(Option(text, weight, feedback))
        if len(options) < 2:
            raise gs.GiftProblem("a choice question needs at least 2 choices")
        problem = self.check_gift(tuple(options))
        if problem:
            raise gs.GiftProblem(problem)
        return {"type": self.name, "options": tuple(options)}

    def write_gift(self, q: Question) -> str | None:
        parts = []
        for o in q.options:
            if self.name == "single" and o.weight == 1:
                parts.append(f"={gs.escape(o.text)}")
            else:
                prefix = gs.percent(o.weight) if o.weight else ""
                parts.append(f"~{prefix}{gs.escape(o.text)}")
            parts[-1] += gs.feedback_out(o.feedback)
        return "\n".join(parts)

    def shown(self, q: Question, order: Orderer) -> Shown:
        return Shown(q.id, order(len(q.options), False))

    def picked(self, q: Question, response: Any) -> list[int]:
        """The options a response chose, in the question's order."""
        return indices([response] if isinstance(response, int) else response, len(q.options))

    def choices(self, q: Question, responses: list[Any]) -> list[tuple[str, int, bool]]:
        counts = [0] * len(q.options)
        for r in responses:
            for i in self.picked(q, r):
                counts[i] += 1
        return [(o.text, counts[i], o.weight > 0) for i, o in enumerate(q.options)]

    def answer_text(self, q: Question, response: Any) -> str:
        return "; ".join(q.options[i].text for i in self.picked(q, response))

    def correct_text(self, q: Question) -> str:
        return "; ".join(o.text for o in q.options if o.weight > 0)

