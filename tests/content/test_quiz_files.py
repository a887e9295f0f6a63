"""Quiz files: the YAML schema (each question type, each setting), Aiken, GIFT with a settings
sidecar, and quiz problems reported by `check` with file and line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from course.content.aiken import parse_aiken
from course.content.check import check_root
from course.content.quiz import NumericAnswer, ReviewPolicy, ShortAnswer
from course.content.quizyaml import load_quiz_yaml, write_quiz_yaml
from course.errors import ContentErrors
from tests.content.helpers import LESSON, MANIFEST, make_root

FULL = '''
title: "Quiz: One"
module: one
pass_mark: 75
draw:
  - {tag: core, count: 2}
  - {count: 1}
shuffle_questions: false
shuffle_options: true
attempts: 3
cooldown_minutes: 10
grading: average
time_limit_minutes: 20
no_retake_after_pass: true
review:
  score: after_submit
  right_wrong: after_pass
  feedback: after_last_attempt
  correct_answers: never
scenarios:
  sales: "A sales team posts only announcements."
questions:
  - id: single
    type: single
    scenario: sales
    lesson: a
    tags: [core]
    text: "What should the team change first?"
    options:
      - {text: "Reply to buyers' questions", correct: true, feedback: "Yes."}
      - {text: "Post more often", feedback: "More of the same."}
    feedback: "Listening comes first."
  - id: multiple
    type: multiple
    tags: [core]
    points: 2
    text: "Which help?"
    options:
      - {text: "A", weight: 50}
      - {text: "B", weight: 50}
      - {text: "C", weight: -50, feedback: "Penalty."}
  - id: tf
    type: truefalse
    text: "Profiles are presence."
    answer: false
    feedback_right: "Right."
    feedback_wrong: "No."
  - id: short
    type: short
    text: "Name the team."
    answers: ["support", {text: "cust* service", weight: 50}]
    case_sensitive: false
  - id: numeric
    type: numeric
    text: "Months?"
    answers:
      - {value: 6, tolerance: 1}
      - {min: 3, max: 9, weight: 50}
  - id: matching
    type: matching
    text: "Match."
    pairs:
      - {prompt: "Sales", answer: "Buyer lessons"}
      - {prompt: "Support", answer: "Answers"}
  - id: ordering
    type: ordering
    text: "Order the first month."
    items: ["Connect", "Comment", "Share"]
'''


def test_every_setting_and_question_type() -> None:
    quiz, errors = load_quiz_yaml(FULL, "q.yaml", "c")
    assert errors == []
    assert (quiz.title, quiz.module, quiz.pass_mark, quiz.attempts, quiz.cooldown_minutes,
            quiz.grading, quiz.time_limit_minutes, quiz.no_retake_after_pass,
            quiz.shuffle_questions, quiz.per_attempt) == (
        "Quiz: One", "one", 75, 3, 10, "average", 20, True, False, 3)
    assert quiz.review == ReviewPolicy("after_submit", "after_pass", "after_last_attempt", "never")
    q = {x.id: x for x in quiz.questions}
    assert q["single"].scenario == "sales" and q["single"].lesson == "a"
    assert [o.weight for o in q["single"].options] == [1, 0]
    assert [o.weight for o in q["multiple"].options] == [Decimal("0.5"), Decimal("0.5"),
                                                         Decimal("-0.5")]
    assert q["multiple"].points == 2
    assert (q["tf"].correct, q["tf"].feedback_right, q["tf"].feedback_wrong) == (False, "Right.",
                                                                               "No.")
    assert q["short"].answers == (ShortAnswer("support"),
                                  ShortAnswer("cust* service", Decimal("0.5")))
    assert q["numeric"].numbers == (NumericAnswer(Decimal(5), Decimal(7)),
                                    NumericAnswer(Decimal(3), Decimal(9), Decimal("0.5")))
    assert q["matching"].pairs == (("Sales", "Buyer lessons"), ("Support", "Answers"))
    assert q["ordering"].order == ("Connect", "Comment", "Share")


def test_written_yaml_reads_back_the_same() -> None:
    quiz, _ = load_quiz_yaml(FULL, "q.yaml", "c")
    again, errors = load_quiz_yaml(write_quiz_yaml(quiz), "again.yaml", "c")
    assert errors == []
    assert again.questions == tuple(q.__class__(**{**q.__dict__, "line": a.line})
                                    for q, a in zip(quiz.questions, again.questions, strict=True))
    assert (again.review, again.pools, again.scenarios) == (quiz.review, quiz.pools,
                                                           quiz.scenarios)


BAD = [
    ("title: yes\nmodule: one\nquestions:\n  - {id: a, type: truefalse, text: x, answer: true}",
     1, "'title' must be text, found a true/false value"),
    ("title: t\nmodule: one\ngrading: best\nquestions:\n"
     "  - {id: a, type: truefalse, text: x, answer: true}", 3, "'grading' must be one of"),
    ("title: t\nmodule: one\npass_mark: 120\nquestions:\n"
     "  - {id: a, type: truefalse, text: x, answer: true}", 3, "'pass_mark' must be a whole"),
    ("title: t\nmodule: one\nquestions:\n  - id: a\n    type: single\n    text: x\n"
     "    options:\n      - {text: yes, correct: true}\n      - {text: 'no'}",
     8, "'text' must be text, found a true/false value (YAML reads yes/no/on/off"),
    ("title: t\nmodule: one\nquestions:\n  - id: a\n    type: single\n    text: x\n"
     "    options:\n      - {text: 'a'}\n      - {text: 'b'}", 7,
     "exactly one option with 'correct: true'"),
    ("title: t\nmodule: one\nquestions:\n  - id: a\n    type: multiple\n    text: x\n"
     "    options:\n      - {text: 'a', weight: 50}\n      - {text: 'b', weight: 30}", 7,
     "must add up to 100"),
    ("title: t\nmodule: one\nquestions:\n  - {id: a, type: essay, text: x}", 4,
     "'type' must be one of"),
    ("title: t\nmodule: one\nquestions:\n  - {id: a, type: numeric, text: x, "
     "answers: [{min: 9, max: 1}]}", 4, "'min' is larger than 'max'"),
    ("title: t\nmodule: one\ndraw:\n  - {count: 5}\nquestions:\n"
     "  - {id: a, type: truefalse, text: x, answer: true}", 4,
     "draws 5 question(s) but only 1 exist"),
    ("title: t\nmodule: one\nquestions:\n  - {id: a, type: truefalse, text: x, answer: true}\n"
     "  - {id: a, type: truefalse, text: y, answer: false}", 5, "'a' is used twice"),
    ("title: t\nmodule: one\nquestions:\n  - {id: a, type: single, text: x, scenario: nope, "
     "options: [{text: 'p', correct: true}, {text: 'q'}]}", 4, "scenario 'nope' is not"),
    ("title: t\nmodule: one\nreview: {score: sometimes}\nquestions:\n"
     "  - {id: a, type: truefalse, text: x, answer: true}", 3, "'score' must be one of"),
    ("title: t\nmodule: one\nquestions:\n  - {id: a, type: short, text: x, "
     "answers: [{text: 'p', weight: 50}]}", 4, "at least one answer must be worth 100"),
    ("title: t\nmodule: one\ncolour: red\nquestions:\n"
     "  - {id: a, type: truefalse, text: x, answer: true}", 3, "unknown quiz key 'colour'"),
]


@pytest.mark.parametrize(("text", "line", "reason"), BAD)
def test_schema_problems_are_located(text: str, line: int, reason: str) -> None:
    quiz, errors = load_quiz_yaml(text, "bad.yaml", "c")
    assert quiz is None
    assert any(e.line == line and reason in e.reason for e in errors), errors


def test_aiken() -> None:
    result = parse_aiken("What builds trust?\nA. Volume\nB) Helpful replies\nANSWER: B\n\n"
                         "Second question?\nA. Yes\nB. No\nANSWER: A\n", "q.txt")
    assert result.errors == []
    first, second = result.questions
    assert first.text == "What builds trust?" and first.type == "single"
    assert [(o.text, o.weight) for o in first.options] == [("Volume", 0),
                                                           ("Helpful replies", 1)]
    assert second.line == 6


@pytest.mark.parametrize(("text", "line", "reason"), [
    ("Q?\nA. a\nB. b\nANSWER: C\n", 4, "ANSWER: C is not one of the options"),
    ("Q?\nA. a\nC. b\nANSWER: A\n", 3, "option C is out of order"),
    ("Q?\nA. a\nB. b\n", 1, "has no 'ANSWER:' line"),
    ("Q?\nA. only\nANSWER: A\n", 1, "at least 2 options"),
    ("Q?\nA. a\nnot an option\nB. b\nANSWER: A\n", 3, "expected an option"),
])
def test_aiken_problems_are_located(text: str, line: int, reason: str) -> None:
    errors = parse_aiken(text, "q.txt").errors
    assert any(e.line == line and reason in e.reason for e in errors), errors


def quiz_root(tmp_path: Path, quizzes: dict[str, str]) -> Path:
    return make_root(tmp_path, {
        "lessons/c/course.yaml": MANIFEST + "  - {slug: two, title: Two}\n",
        "lessons/c/01-one/01-a.md": LESSON, "lessons/c/02-two/01-b.md": LESSON,
        **{f"quizzes/c/{name}": text for name, text in quizzes.items()}})


def test_quizzes_in_every_format_pass_check(tmp_path: Path) -> None:
    root = quiz_root(tmp_path, {
        "one.yaml": 'title: "Q"\nmodule: one\nquestions:\n'
                    '  - {id: a, type: truefalse, text: "x", answer: true, lesson: a}\n',
        "two.gift": "::g::Is it?{T}\n",
        "two.settings.yaml": "pass_mark: 70\nattempts: 2\n",
    })
    check_root(root)
    from course.content.catalog import load_catalog
    from course.content.quizzes import load_quizzes

    quizzes, errors = load_quizzes(root, load_catalog(root))
    assert errors == []
    assert quizzes[("c", "two")].title == "Quiz: Two"
    assert (quizzes[("c", "two")].pass_mark, quizzes[("c", "two")].attempts) == (70, 2)


def test_check_reports_quiz_problems_with_file_and_line(tmp_path: Path) -> None:
    root = quiz_root(tmp_path, {
        "one.yaml": 'title: "Q"\nmodule: one\nquestions:\n'
                    '  - {id: a, type: truefalse, text: "x", answer: true, lesson: zz}\n',
        "two.gift": "::g::Write an essay {}\n",
        "three.txt": "Q?\nA. a\nB. b\nANSWER: D\n",
        "other.settings.yaml": "pass_mark: 70\n",
        "notes.md": "hi",
        "dup.yaml": 'title: "Q"\nmodule: one\nquestions:\n'
                    '  - {id: a, type: truefalse, text: "x", answer: true}\n',
        "dup2.yaml": 'title: "Q"\nmodule: one\nquestions:\n'
                     '  - {id: a, type: truefalse, text: "x", answer: true}\n',
    })
    make_root(tmp_path, {"quizzes/ghost/one.yaml": "title: x\n"})
    with pytest.raises(ContentErrors) as info:
        check_root(root)
    errors = [str(e) for e in info.value.errors]
    for expected in [
        "quizzes/c/one.yaml:4: question 'a' names lesson 'zz', which does not exist",
        "quizzes/c/two.gift:1: essay questions ({}) cannot be graded",
        "quizzes/c/three.txt:4: ANSWER: D is not one of the options",
        "quizzes/c/three.txt:1: module 'three' is not in c's course.yaml",
        "quizzes/c/other.settings.yaml: settings for 'other', but there is no",
        "quizzes/c/notes.md: unsupported file",
        "quizzes/c/dup2.yaml:1: module 'one' already has a quiz: quizzes/c/dup.yaml",
        "quizzes/ghost: no course 'ghost' under lessons/",
    ]:
        assert any(e.startswith(expected) for e in errors), (expected, errors)
