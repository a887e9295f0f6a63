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
