"""From a submitted quiz form to responses, and back (pure).

Form values are positions in the order the attempt showed, never the file's order, so nothing
in the page hints at which option comes first in the answer key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..content.quiz import Question
from .grading import Shown


def field_name(q: Question, part: int | None = None) -> str:
    """The form field of a question (or one part of a matching or ordering question)."""
    return f"q-{q.id}" if part is None else f"q-{q.id}-{part}"


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def parse(parts: list[tuple[Question, Shown, str | None]], form: Any) -> dict[str, Any]:
    """The responses a form holds, keyed by question id (unanswered questions left out)."""
    out: dict[str, Any] = {}
    for q, shown, _ in parts:
        name = field_name(q)
        if q.type == "single":
            pos = _int(form.get(name))
            if pos is not None and 0 <= pos < len(shown.order):
                out[q.id] = shown.order[pos]
        elif q.type == "multiple":
            chosen = [_int(v) for v in form.getlist(name)]
            picked = sorted({shown.order[p] for p in chosen
                             if p is not None and 0 <= p < len(shown.order)})
            if picked or form.get(name + "-seen"):
                out[q.id] = picked
        elif q.type == "truefalse":
            if form.get(name) in ("true", "false"):
                out[q.id] = form.get(name) == "true"
        elif q.type in ("short", "numeric"):
            text = (form.get(name) or "").strip()[:500]
            if text:
                out[q.id] = text
        elif q.type == "matching":
            picks = [_int(form.get(field_name(q, i))) for i in range(len(q.pairs))]
            if any(p is not None for p in picks):
                out[q.id] = [shown.answers_order[p] if p is not None and
                             0 <= p < len(shown.answers_order) else -1 for p in picks]
        elif q.type == "ordering":
            ranks = [_int(form.get(field_name(q, pos))) for pos in range(len(shown.order))]
            if all(r is not None for r in ranks):
                ordered = sorted(range(len(ranks)), key=lambda pos: ranks[pos])
                out[q.id] = [shown.order[pos] for pos in ordered]
    return out


def unanswered(parts: list[tuple[Question, Shown, str | None]],
               responses: Mapping[str, Any]) -> list[int]:
    """1-based numbers of the questions with no answer."""
    return [i for i, (q, _, _) in enumerate(parts, start=1)
            if responses.get(q.id) in (None, [], "")]


def form_values(parts: list[tuple[Question, Shown, str | None]],
                responses: Mapping[str, Any]) -> dict[str, Any]:
    """Saved responses as form values, to fill the page in again after a reload."""
    values: dict[str, Any] = {}
    for q, shown, _ in parts:
        r = responses.get(q.id)
        if r is None:
            continue
        name = field_name(q)
        if q.type == "single" and r in shown.order:
            values[name] = str(shown.order.index(r))
        elif q.type == "multiple":
            values[name] = [str(shown.order.index(i)) for i in r if i in shown.order]
        elif q.type == "truefalse":
            values[name] = "true" if r else "false"
        elif q.type in ("short", "numeric"):
            values[name] = str(r)
        elif q.type == "matching":
            for i, answer in enumerate(r):
                if answer in shown.answers_order:
                    values[field_name(q, i)] = str(shown.answers_order.index(answer))
        elif q.type == "ordering":
            for rank, item in enumerate(r, start=1):
                if item in shown.order:
                    values[field_name(q, shown.order.index(item))] = str(rank)
    return values
