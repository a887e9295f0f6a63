"""Question types are one module each, held by each app: a toy type registered on one app
instance parses, renders and grades there, and nowhere else."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jinja2 import ChoiceLoader, DictLoader

from course.content.qtypes import (
    QuestionType,
    Shown,
    builtin_types,
    default_types,
    field_name,
)
from course.content.quiz import Question, ShortAnswer
from course.content.quizyaml import load_quiz_yaml, write_quiz_yaml
from course.content.yamlfile import Path_, Reader
from course.state import get_state
from tests.conftest import Site, csrf_token, register
from tests.quizzes.test_quiz_views import finish_lessons, start

QUIZ = "/courses/social-divide/quizzes/social-graph-presence/"
QUIZ_FILE = "quizzes/social-divide/social-graph-presence.yaml"
TOY_QUIZ = """\
title: "Quiz: Social Graph & Presence"
module: social-graph-presence
pass_mark: 100
shuffle_questions: false
questions:
  - id: platform
    type: word
    text: "Which platform is the course's example network? One word."
    word: LinkedIn
  - id: presence
    type: truefalse
    text: "A complete profile is the same as a presence."
    answer: false
"""
TOY_TEMPLATE = ('<label for="{{ name }}">One word</label>'
                '<input type="text" name="{{ name }}" id="{{ name }}" data-toy-word '
                'value="{{ values.get(name, \'\') }}">')


class Word(QuestionType):
    """A toy type: one word, right in any case."""

    name, label = "word", "one word"
    yaml_keys = frozenset({"word"})

    def read_yaml(self, r: Reader, q: dict, path: Path_) -> dict[str, Any]:
        return {"answers": (ShortAnswer(r.text(q, "word", path, required=True)),)}

    def write_yaml(self, q: Question) -> dict[str, Any]:
        return {"word": q.answers[0].pattern}

    def read_form(self, q: Question, shown: Shown, form: Any) -> Any:
        return (form.get(field_name(q)) or "").strip() or None

    def form_values(self, q: Question, shown: Shown, response: Any) -> dict[str, Any]:
        return {field_name(q): response}

    def mark(self, q: Question, response: Any) -> tuple[Decimal, list[str]]:
        right = str(response).casefold() == q.answers[0].pattern.casefold()
        return Decimal(1 if right else 0), []

    def correct_text(self, q: Question) -> str:
        return q.answers[0].pattern


def test_a_set_of_types_is_its_own() -> None:
    """Registering on one set changes no other; the shared built-in set refuses changes."""
    mine, other = default_types(), default_types()
    mine.register(Word())
    assert "word" in mine and "word" not in other and "word" not in builtin_types()
    with pytest.raises(TypeError):
        builtin_types().register(Word())
    with pytest.raises(ValueError):
        mine.register(Word())
    quiz, errors = load_quiz_yaml(TOY_QUIZ, "toy.yaml", "c", types=mine)
    assert not errors and quiz is not None and quiz.questions[0].type == "word"
    assert "word: LinkedIn" in write_quiz_yaml(quiz, mine)
    _, errors = load_quiz_yaml(TOY_QUIZ, "toy.yaml", "c")
    assert any("'type' must be one of" in e.reason for e in errors)


def test_a_type_registered_on_one_app_is_used_there_and_not_in_another(
        make_app: Any, content_root: Path) -> None:
    (content_root / QUIZ_FILE).write_text(TOY_QUIZ)
    with_word, without = make_app(instance="a"), make_app(instance="b")
    for app in (with_word, without):
        app.config["COURSE_CONTENT_ROOT"] = str(content_root)
    get_state(with_word).question_types.register(Word())
    with_word.jinja_loader = ChoiceLoader([
        DictLoader({"course/quizzes/types/word.html": TOY_TEMPLATE}), with_word.jinja_loader])

    site = Site(with_word, "standalone", "")
    client = site.client()
    register(client)
    finish_lessons(site, client)
    attempt = start(site, client)
    page = client.get(attempt).get_data(as_text=True)
    assert "data-toy-word" in page and "Which platform" in page  # its partial renders
    token = csrf_token(client, attempt)
    done = client.post(attempt + "/submit", data={"csrf_token": token, "q-platform": "linkedin",
                                                  "q-presence": "false"})
    result = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "100%" in result and "you passed" in result  # graded by the toy type

    assert "word" not in get_state(without).question_types
    with without.test_request_context("/"):
        content = get_state(without).content()
        assert ("social-divide", "social-graph-presence") not in content.quizzes
        assert any(re.search(r"'type' must be one of", e.reason) for e in content.errors)
    other = without.test_client()
    register(other, email="other@example.com")
    assert other.get(QUIZ).status_code == 503  # content with a problem is not served
