"""Questions as plain JSON, so an attempt keeps exactly what it showed (pure)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from ..content.quiz import NumericAnswer, Option, Question, ShortAnswer
from ..kept import KeptByObject
from .grading import Shown


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


#: Each question's fields as JSON text, by the question object: `asdict` walks every field,
#: and a start snapshots each question it draws.
_FIELDS: KeptByObject[str] = KeptByObject(4096)


def _fields(q: Question) -> dict[str, Any]:
    """A fresh copy of `q`'s fields as JSON values (nothing shared between attempts)."""
    return json.loads(_FIELDS.get(q, lambda: json.dumps(_plain(asdict(q)))))


def question_to_json(q: Question, shown: Shown, scenario_text: str | None) -> dict[str, Any]:
    """A question, the order it was shown in, and its scenario's text, as JSON values."""
    data = _fields(q)
    data["shown_order"] = list(shown.order)
    data["shown_answers_order"] = list(shown.answers_order)
    data["scenario_text"] = scenario_text
    return data


def question_from_json(data: dict[str, Any]) -> tuple[Question, Shown, str | None]:
    """The inverse of `question_to_json`."""
    d = dict(data)
    shown = Shown(d["id"], tuple(d.pop("shown_order")), tuple(d.pop("shown_answers_order")))
    scenario_text = d.pop("scenario_text")
    d["options"] = tuple(Option(o["text"], Decimal(o["weight"]), o["feedback"])
                         for o in d["options"])
    d["answers"] = tuple(ShortAnswer(a["pattern"], Decimal(a["weight"]), a["feedback"])
                         for a in d["answers"])
    d["numbers"] = tuple(NumericAnswer(Decimal(n["low"]), Decimal(n["high"]),
                                       Decimal(n["weight"]), n["feedback"])
                         for n in d["numbers"])
    d["pairs"] = tuple(tuple(p) for p in d["pairs"])
    d["order"] = tuple(d["order"])
    d["tags"] = tuple(d["tags"])
    return Question(**d), shown, scenario_text


# What makes a question's version: what the learner sees before answering, and the key.
# Feedback, tags, the lesson and the file line can change without starting a new version.
_VERSION_KEYS = ("id", "type", "text", "scenario_text", "points", "correct", "case_sensitive",
                 "pairs", "order")


def _number(value: Any) -> str:
    return str(Decimal(str(value)).normalize())


def question_version(data: dict[str, Any]) -> str:
    """A short hash of a snapshotted question's content (`question_to_json`'s output): editing
    the stem, an option, the key or a weight starts a new version; old attempts keep theirs."""
    content = {key: data.get(key) for key in _VERSION_KEYS}
    content["options"] = [[o["text"], _number(o["weight"])] for o in data.get("options", ())]
    content["answers"] = [[a["pattern"], _number(a["weight"])] for a in data.get("answers", ())]
    content["numbers"] = [[_number(n["low"]), _number(n["high"]), _number(n["weight"])]
                          for n in data.get("numbers", ())]
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def current_version(q: Question, scenario_text: str | None) -> str:
    """The version of a question as the quiz holds it now."""
    return question_version(question_to_json(q, Shown(q.id), scenario_text))
