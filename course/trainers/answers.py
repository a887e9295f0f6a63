"""A learner's answer and a question's key as text for people, for the gradebook's review of an
attempt and the quiz preview's check (pure)."""

from __future__ import annotations

from typing import Any

from ..content.quiz import Question


def _pick(items: Any, index: Any) -> str:
    return items[index] if isinstance(index, int) and 0 <= index < len(items) else "(none)"


def answer_text(q: Question, response: Any) -> str:
    """What the learner answered, in the words they saw ("" when unanswered)."""
    if response is None or response == [] or response == "":
        return ""
    texts = [o.text for o in q.options]
    if q.type == "single":
        return _pick(texts, response)
    if q.type == "multiple":
        return "; ".join(_pick(texts, i) for i in response) or "(none chosen)"
    if q.type == "truefalse":
        return "True" if response else "False"
    if q.type == "matching":
        answers = [a for _, a in q.pairs]
        return "; ".join(f"{prompt} → {_pick(answers, i)}"
                         for (prompt, _), i in zip(q.pairs, response, strict=False))
    if q.type == "ordering":
        return " → ".join(_pick(list(q.order), i) for i in response)
    return str(response)


def key_text(q: Question) -> str:
    """The question's answer key, as the review's "Correct answer" says it."""
    if q.type in ("single", "multiple"):
        return "; ".join(o.text for o in q.options if o.weight > 0)
    if q.type == "truefalse":
        return "True" if q.correct else "False"
    if q.type == "short":
        return q.answers[0].pattern if q.answers else ""
    if q.type == "numeric":
        n = q.numbers[0] if q.numbers else None
        if n is None:
            return ""
        return str(n.low) if n.low == n.high else f"{n.low} to {n.high}"
    if q.type == "matching":
        return "; ".join(f"{p} → {a}" for p, a in q.pairs)
    if q.type == "ordering":
        return " → ".join(q.order)
    return ""
