"""A blind trial through the CLI: `flask course blind-trial` writes a sheet that gives nothing
away and a key kept apart; `flask course blind-score` marks answers, names the misses and says
when a reader without the lessons passes. Plus the pure parts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from flask import Flask

from course.content.blindtrial import AnswersError, make_sheet, read_answers, score
from course.content.quizyaml import load_quiz_yaml
from tests.test_cli import run

BANK = Path(__file__).resolve().parents[2] / "quizzes" / "social-divide" / "education.yaml"


def sample_quiz():  # noqa: ANN201
    quiz, errors = load_quiz_yaml(BANK.read_text(encoding="utf-8"), str(BANK), "social-divide")
    assert quiz is not None and not errors
    return quiz


def test_the_sheet_gives_nothing_away_and_the_key_marks_it(standalone_app: Flask,
                                                           tmp_path: Path) -> None:
    sheet, key = tmp_path / "sheet.txt", tmp_path / "key.json"
    result = run(standalone_app, "blind-trial", str(BANK), str(sheet), "--key", str(key))
    assert result.exit_code == 0, result.output
    text, data = sheet.read_text(), json.loads(key.read_text())
    items = data["items"]
    assert f"{len(items)} question(s) written to {sheet}" in result.output
    bank = yaml.safe_load(BANK.read_text())
    for q in bank["questions"]:  # no feedback, no lesson name, no key in the sheet
        for option in q.get("options", []):
            if option.get("feedback"):
                assert option["feedback"] not in text
        for said in (q.get("feedback_right"), q.get("feedback_wrong"), q.get("lesson")):
            assert not said or said not in text
        assert q["id"] not in text
    assert "Scenario: " in text
    assert len(re.findall(r"^\d+\. ", text, re.M)) == len(items)
    # The key marks a perfect answer sheet 100%, and answers "A" everywhere far lower.
    perfect = tmp_path / "perfect.txt"
    perfect.write_text("\n".join(f"{n}: {i['answer']}" for n, i in items.items()))
    marked = run(standalone_app, "blind-score", str(key), str(perfect))
    assert marked.exit_code == 0, marked.output
    assert f"{len(items)} of {len(items)} right (100%), passes at 80%" in marked.output
    assert "does not yet show that someone learned them" in marked.output
    all_a = tmp_path / "all-a.json"
    all_a.write_text(json.dumps({n: "A" for n in items}))
    marked = run(standalone_app, "blind-score", str(key), str(all_a))
    assert "does not pass at 80%" in marked.output and "missed: " in marked.output


def test_a_bad_answers_file_names_every_bad_line(standalone_app: Flask, tmp_path: Path) -> None:
    key = tmp_path / "key.json"
    run(standalone_app, "blind-trial", str(BANK), str(tmp_path / "s.txt"), "--key", str(key))
    answers = tmp_path / "answers.txt"
    answers.write_text("# mine\n1: B\nsecond is C\n3 D\n4: maybe\n")
    result = run(standalone_app, "blind-score", str(key), str(answers))
    assert result.exit_code == 1
    assert "line 3: expected 'NUMBER: LETTER'" in result.output
    assert "line 5:" in result.output and "line 2" not in result.output


def test_options_are_shuffled_by_the_seed_and_keys_follow() -> None:
    quiz = sample_quiz()
    one, again, other = make_sheet(quiz, 1), make_sheet(quiz, 1), make_sheet(quiz, 2)
    assert one.text == again.text and one.key == again.key
    assert one.text != other.text
    positions = [i["answer"] for i in one.key["items"].values() if i["type"] == "single"]
    assert len(set(positions)) >= 3  # keys spread over the letters, not always first


def test_reading_and_marking_answers() -> None:
    assert read_answers("1: b\n2) A, c\n\n3 D") == {"1": "B", "2": "A,C", "3": "D"}
    assert read_answers('{"1": "b", "2": "c,a"}') == {"1": "B", "2": "A,C"}
    try:
        read_answers("1: B\nnonsense")
    except AnswersError as exc:
        assert "line 2" in str(exc)
    else:
        raise AssertionError("a bad line was accepted")
    key = {"pass_mark": 50, "items": {"1": {"answer": "B"}, "2": {"answer": "A,C"},
                                      "3": {"answer": "A"}}}
    result = score(key, {"1": "B", "2": "C"})
    assert (result.right, result.total, result.unanswered, result.wrong) == (1, 3, 1, ("2", "3"))
    assert not result.passed and round(result.percent) == 33


def test_a_multiple_response_stem_asks_to_choose_all_once() -> None:
    """A stem that already says "Choose all that apply." gets no second instruction; one that
    does not say it gets it added."""
    sheet = make_sheet(sample_quiz())
    questions = re.split(r"^1\. ", sheet.text, maxsplit=1, flags=re.M)[1]  # after the header
    assert not re.search(r"all that apply.*all that apply", questions, re.I)
    multiple = [i for i in sheet.key["items"].values() if i["type"] == "multiple"]
    assert len(re.findall(r"all that apply", questions, re.I)) == len(multiple)


def test_one_form_is_an_attempts_draw(standalone_app: Flask, tmp_path: Path) -> None:
    """`--form`: the sheet holds one attempt's draw (each lesson's count, no question twice),
    seeded, so readers of different forms see different questions."""
    quiz = sample_quiz()
    by_id = {q.id: q for q in quiz.questions}
    forms = []
    for seed in (1, 2):
        sheet, key = tmp_path / f"form{seed}.txt", tmp_path / f"form{seed}.json"
        result = run(standalone_app, "blind-trial", str(BANK), str(sheet), "--key", str(key),
                     "--seed", str(seed), "--form")
        assert result.exit_code == 0, result.output
        data = json.loads(key.read_text())
        ids = [i["id"] for i in data["items"].values()]
        left = int(re.search(r"(\d+) question\(s\) of other types", result.output).group(1)
                   ) if "other types" in result.output else 0
        assert data["form"] is True and len(ids) + left == quiz.per_attempt == 10
        assert len(set(ids)) == len(ids)
        for pool in quiz.pools:  # never more of a lesson than its pool draws
            assert sum(1 for i in ids if pool.tag in by_id[i].tags) <= pool.count
        header = sheet.read_text().splitlines()[0]
        assert (f"one attempt's draw: {len(ids)} of its 10 questions" in header if left else
                "one attempt's draw of 10 questions" in header)
        forms.append(set(ids))
    assert forms[0] != forms[1]
