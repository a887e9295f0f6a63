"""`python -m course.content.itemcheck [-v] FILE.yaml [...]`: the item check of quiz files, for
writers at work. Prints each cue as file:line: reason, then the quiz's figures; exits 1 when a
quiz fails the check (guessable, or a bank too small for its draw) or cannot be read. With -v,
also what the test-wise guesser expects to score on each question.

When a file lies in a content root (`<root>/quizzes/<course>/<file>`), the course's lessons are
read too, so lessons without a question are reported.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..catalog import scan_root
from ..quiz import Quiz
from ..quizyaml import load_quiz_yaml
from ..quizzes import read_quiz_file
from . import check_quiz
from .guesser import expected_fraction


def _load(path: Path) -> tuple[Quiz | None, list[str], tuple[str, ...]]:
    """The quiz in `path`, its load errors, and its module's lesson slugs when known."""
    root = path.resolve().parent.parent.parent
    if root.joinpath("lessons").is_dir() and path.resolve().parent.parent.name == "quizzes":
        catalog, _ = scan_root(root)
        course = catalog.get(path.resolve().parent.name)
        if course is not None:
            quiz, errors = read_quiz_file(path.resolve(), root, course)
            module = course.module(quiz.module) if quiz else None
            lessons = tuple(x.slug for x in module.lessons) if module else ()
            return quiz, [str(e) for e in errors], lessons
    quiz, errors = load_quiz_yaml(path.read_text(encoding="utf-8"), str(path), "course")
    return quiz, [str(e) for e in errors], ()


def main(argv: list[str]) -> int:
    """Check each file named in `argv`; 0 when every quiz passes, 1 otherwise."""
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    verbose = bool({"-v", "--verbose"} & set(argv))
    failed = False
    for name in (a for a in argv if a not in ("-v", "--verbose")):
        quiz, errors, lessons = _load(Path(name))
        if quiz is None:
            print("\n".join(errors) or f"{name}: not a quiz", file=sys.stderr)
            failed = True
            continue
        report = check_quiz(quiz, lessons)
        for q in quiz.questions if verbose else ():
            print(f"guess: {quiz.path}:{q.line}: question '{q.id}' ({q.type}): the guesser "
                  f"expects {float(expected_fraction(q)):.0%}")
        for warning in report.warnings:
            print(f"warning: {warning}")
        for error in report.errors:
            print(f"error: {error}")
        print(report.figures)
        failed = failed or bool(report.errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
