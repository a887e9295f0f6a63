"""The quizzes of a content root: `quizzes/<course>/<name>.yaml`, or `.gift` / Aiken `.txt`
files with an optional `<name>.settings.yaml` beside them; one quiz per module."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from ..errors import ContentError
from .aiken import parse_aiken
from .catalog import Catalog, CourseInfo
from .gift import parse_gift
from .qtypes import QuestionTypes
from .quiz import Quiz
from .quizyaml import load_quiz_yaml

SIDECAR = ".settings.yaml"


def read_quiz_file(path: Path, root: Path, course: CourseInfo,
                   types: QuestionTypes | None = None
                   ) -> tuple[Quiz | None, list[ContentError]]:
    """One quiz file of any supported format, validated against its course; `types` are the
    question types the site knows (the built-in ones by default)."""
    file = str(path.relative_to(root))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [ContentError(file, None, "not UTF-8 text")]
    if path.suffix in (".yaml", ".yml"):
        quiz, errors = load_quiz_yaml(text, file, course.slug, types=types)
    else:
        parsed = (parse_gift if path.suffix == ".gift" else parse_aiken)(text, file, types)
        sidecar = path.with_name(path.stem + SIDECAR)
        module = course.module(path.stem)
        defaults = {"module": path.stem,
                    "title": f"Quiz: {module.title}" if module else f"Quiz: {path.stem}"}
        quiz, errors = load_quiz_yaml(sidecar.read_text(encoding="utf-8")
                                      if sidecar.is_file() else "",
                                      str(sidecar.relative_to(root)) if sidecar.is_file()
                                      else file, course.slug,
                                      questions_from=tuple(parsed.questions), defaults=defaults,
                                      types=types)
        errors = parsed.errors + errors
        if quiz is not None:
            quiz = replace(quiz, path=file)
    if quiz is not None:
        errors += _against_course(quiz, file, course)
        digest = hashlib.sha256(path.read_bytes())
        sidecar = path.with_name(path.stem + SIDECAR)
        if sidecar.is_file():
            digest.update(sidecar.read_bytes())
        quiz = replace(quiz, version=digest.hexdigest()[:16])
    return (None if errors else quiz), errors


def _against_course(quiz: Quiz, file: str, course: CourseInfo) -> list[ContentError]:
    errors = []
    module = course.module(quiz.module)
    if module is None:
        return [ContentError(file, 1, f"module '{quiz.module}' is not in {course.slug}'s "
                                      "course.yaml")]
    lessons = {x.slug for x in course.lessons}
    for q in quiz.questions:
        if q.lesson and q.lesson not in lessons:
            errors.append(ContentError(file, q.line, f"question '{q.id}' names lesson "
                                                     f"'{q.lesson}', which does not exist"))
    return errors


def load_quizzes(root: Path, catalog: Catalog, types: QuestionTypes | None = None
                 ) -> tuple[dict[tuple[str, str], Quiz], list[ContentError]]:
    """Every quiz under `root/quizzes`, keyed by (course, module), and every problem."""
    quizzes: dict[tuple[str, str], Quiz] = {}
    errors: list[ContentError] = []
    folder = root / "quizzes"
    if not folder.is_dir():
        return quizzes, errors
    for course_dir in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
        rel = str(course_dir.relative_to(root))
        course = catalog.get(course_dir.name)
        if not course_dir.is_dir() or course is None:
            errors.append(ContentError(rel, None, f"no course '{course_dir.name}' under "
                                                  "lessons/ for these quizzes"))
            continue
        for path in sorted(p for p in course_dir.iterdir() if not p.name.startswith(".")):
            if path.name.endswith(SIDECAR):
                stem = path.name[: -len(SIDECAR)]
                if not any(course_dir.joinpath(stem + s).is_file() for s in (".gift", ".txt")):
                    errors.append(ContentError(str(path.relative_to(root)), None,
                                               f"settings for '{stem}', but there is no "
                                               f"{stem}.gift or {stem}.txt"))
                continue
            if path.suffix not in (".yaml", ".yml", ".gift", ".txt"):
                errors.append(ContentError(str(path.relative_to(root)), None,
                                           "unsupported file: quizzes are .yaml, .gift or "
                                           "Aiken .txt"))
                continue
            quiz, found = read_quiz_file(path, root, course, types)
            errors += found
            if quiz is None:
                continue
            key = (course.slug, quiz.module)
            if key in quizzes:
                errors.append(ContentError(quiz.path, 1, f"module '{quiz.module}' already has "
                                                         f"a quiz: {quizzes[key].path}"))
                continue
            quizzes[key] = quiz
    return quizzes, errors
