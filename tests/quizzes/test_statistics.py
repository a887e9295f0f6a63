"""Statistics (pure) against hand-checked figures, CSV safety, and the trainer pages."""

from __future__ import annotations

import pytest

from course.content.quiz import Option, Question
from course.csvsafe import cell, to_csv
from course.quizzes.statistics import AttemptData, compute

D = __import__("decimal").Decimal
QS = [Question("good", "truefalse", "?", correct=True),
      Question("mis", "single", "?", options=(Option("a", D(1)), Option("b", D(0)))),
      Question("easy", "truefalse", "?", correct=True)]


def attempt(user: str, good: float, mis: float, easy: float, number: int = 1) -> AttemptData:
    fractions = {"good": good, "mis": mis, "easy": easy}
    return AttemptData(user, number, 100 * sum(fractions.values()) / 3, fractions,
                       {"mis": 0 if mis else 1})


# Strong learners get "good" right and "mis" wrong; weak learners the reverse.
DATA = [attempt("u1", 1, 0, 1), attempt("u2", 1, 0, 1), attempt("u3", 0, 1, 1),
        attempt("u4", 0, 1, 1), attempt("u5", 1, 0, 1), attempt("u1", 0, 0, 0, number=2)]


def test_first_attempts_by_default() -> None:
    assert compute(QS, DATA).attempts == 5
    assert compute(QS, DATA, first_only=False).attempts == 6


def test_facility_discrimination_and_verdicts() -> None:
    figures = compute(QS, DATA)
    good, mis, easy = figures.items
    assert good.facility == pytest.approx(60) and mis.facility == pytest.approx(40)
    assert easy.facility == pytest.approx(100)
    assert mis.discrimination is not None and mis.discrimination < 0
    assert any("mis-keyed" in v for v in mis.verdicts)
    assert any("too easy" in v for v in easy.verdicts)
    assert easy.discrimination is None  # no variance: everyone right
    assert mis.choices == [("a", 2, True), ("b", 3, False)]
    assert figures.mean == pytest.approx(200 / 3) and figures.small_sample


def test_cronbach_alpha_for_a_known_dataset() -> None:
    # A perfect 3-item Guttman pattern: item variances add to 0.625, the total's is 1.25,
    # so alpha = 3/2 x (1 - 0.625/1.25) = 0.75.
    qs = [Question(f"q{i}", "truefalse", "?", correct=True) for i in range(3)]
    data = [AttemptData(f"u{n}", 1, 0, {f"q{i}": float(i < n) for i in range(3)}, {})
            for n in range(4)]
    assert compute(qs, data).alpha == pytest.approx(75.0)


@pytest.mark.parametrize("dangerous", ["=SUM(A1)", "+1", "-2", "@cmd", "\tx", "\rx"])
def test_csv_cells_that_look_like_formulas_are_made_inert(dangerous: str) -> None:
    import csv
    import io

    assert cell(dangerous) == "'" + dangerous
    [row] = csv.reader(io.StringIO(to_csv([[dangerous, 'plain "quoted"']]), newline=""))
    assert row == ["'" + dangerous, 'plain "quoted"']


def test_csv_is_rfc4180() -> None:
    assert to_csv([["a", "b,c", 'd"e'], [1, None, 2]]) == 'a,"b,c","d""e"\r\n1,,2\r\n'


# ---------------------------------------------------------------- per question version
def test_a_question_version_follows_what_the_learner_sees_and_the_key() -> None:
    from dataclasses import replace

    from course.quizzes.grading import Shown
    from course.quizzes.snapshot import current_version, question_to_json, question_version

    q = QS[1]
    base = current_version(q, None)
    assert len(base) == 8
    # the same content shown in another order, with other feedback, tags or line: same version
    shuffled = question_to_json(q, Shown(q.id, (1, 0)), None)
    assert question_version(shuffled) == base
    assert current_version(replace(q, tags=("x",), lesson="l", line=40,
                                   general_feedback="Why."), None) == base
    # the stem, an option, a weight or the scenario: a new version
    assert current_version(replace(q, text="Which?"), None) != base
    assert current_version(replace(q, options=(Option("a", D(1)), Option("c", D(0)))),
                           None) != base
    assert current_version(replace(q, options=(Option("a", D("0.5")), Option("b", D("0.5")))),
                           None) != base
    assert current_version(q, "A new scenario") != base


def test_statistics_are_kept_per_version() -> None:
    from course.quizzes.statistics import Version

    old, new = QS[1], replace_text(QS[1], "Which one now?")

    def seen(user: str, version: str, response: int, right: float) -> AttemptData:
        return AttemptData(user, 1, 100 * right, {"mis": right}, {"mis": response},
                           {"mis": version})

    data = [seen("u1", "v1", 0, 1), seen("u2", "v1", 0, 1), seen("u3", "v2", 1, 0)]
    figures = compute([Version(new, "v2"), Version(old, "v1", current=False)], data)
    current, earlier = figures.items
    assert (current.version, current.current, current.attempts) == ("v2", True, 1)
    assert current.facility == 0 and current.choices == [("a", 0, True), ("b", 1, False)]
    assert (earlier.version, earlier.current, earlier.attempts) == ("v1", False, 2)
    assert earlier.facility == 100 and earlier.question.text == "?"


def replace_text(q: Question, text: str) -> Question:
    from dataclasses import replace

    return replace(q, text=text)


def test_versions_come_from_the_attempts_snapshots() -> None:
    from types import SimpleNamespace

    from course.content.quiz import Quiz
    from course.quizzes.grading import Shown
    from course.quizzes.snapshot import current_version, question_to_json
    from course.quizzes.statistics import from_records

    old, new = QS[1], replace_text(QS[1], "Which one now?")
    gone = Question("gone", "truefalse", "Removed since.", correct=False)
    quiz = Quiz("c", "m", "q.yaml", "Q", questions=(QS[0], new))

    def record(user: str, q: Question, right: float) -> SimpleNamespace:
        shown = [question_to_json(x, Shown(x.id, (1, 0) if x.options else ()), None)
                 for x in (QS[0], q, gone)]
        return SimpleNamespace(user_id=user, number=1, percent=D(50), responses={},
                               marks={x: {"fraction": str(right)} for x in ("good", "mis")},
                               shown=shown)

    versions, data = from_records(quiz, [record("u1", old, 1), record("u2", new, 0)])
    assert [(v.question.id, v.question.text, v.current) for v in versions] == [
        ("good", "?", True), ("mis", "Which one now?", True), ("mis", "?", False),
        ("gone", "Removed since.", False)]
    assert data[0].versions["mis"] == current_version(old, None)
    assert data[1].versions["mis"] == versions[1].version == current_version(new, None)
    figures = compute(versions, data)
    assert [item.attempts for item in figures.items] == [2, 1, 1, 0]
