"""The pure catalogue reader: manifests in, dataclasses or located errors out (no app)."""

from __future__ import annotations

from pathlib import Path

import pytest

from course.content import find_content_root, load_catalog
from course.errors import ContentErrors
from tests.content.helpers import LESSON, make_root


def make_manifests(tmp_path: Path, manifests: dict[str, str]) -> Path:
    """Courses whose manifests list module `one`, each with one lesson."""
    files: dict[str, str] = {}
    for slug, text in manifests.items():
        if "modules:" not in text and text.startswith("title"):
            text += "modules:\n  - {slug: one, title: One}\n"
        files[f"lessons/{slug}/course.yaml"] = text
        files[f"lessons/{slug}/one/a.md"] = LESSON
    return make_root(tmp_path, files)


def errors_of(root: Path) -> list[str]:
    with pytest.raises(ContentErrors) as info:
        load_catalog(root)
    return [str(e) for e in info.value.errors]


def test_sample_content_loads() -> None:
    catalog = load_catalog(find_content_root(None))
    course = catalog.get("social-divide")
    assert course is not None and course.title == "The Social Divide"
    assert [m.slug for m in course.modules][1:5] == [
        "social-graph-presence", "organisation", "role-model", "education"]
    assert "Axel Schultze" in course.source


def test_full_manifest(tmp_path: Path) -> None:
    root = make_manifests(tmp_path, {"b-course": 'title: "B"\nsummary: "Second"\n',
                                     "a-course": 'title: "A"\nsummary: "First"\n'
                                                 'audience: "All"\nestimated_hours: 1.5\n'
                                                 "modules:\n"
                                                 '  - {slug: one, title: "One"}\n'})
    catalog = load_catalog(root)
    assert [c.slug for c in catalog.courses] == ["a-course", "b-course"]
    assert catalog.courses[0].estimated_hours == 1.5
    assert catalog.courses[0].modules[0].title == "One"


@pytest.mark.parametrize(("text", "expected"), [
    ("title: yes\nsummary: \"s\"\n", "course.yaml:1: 'title' must be text, found a true/false"),
    ("title: \"t\"\nsummary: 012\n", "course.yaml:2: 'summary' must be text, found a number"),
    ("title: \"t\"\n", "course.yaml:1: 'summary' must be text, found missing"),
    ("title: \"t\"\nsummary: \"s\"\nestimated_hours: on\n",
     "course.yaml:3: 'estimated_hours' must be a positive number"),
    ("title: \"t\"\nsummary: \"s\"\nmodules:\n  - {slug: Bad Slug, title: x}\n",
     "course.yaml:3: module 1 needs a lower-case 'slug'"),
    ("title: \"t\"\nsummary: \"s\"\nmodules:\n  - {slug: a, title: x}\n  - {slug: a, title: y}\n",
     "module slug 'a' is used twice"),
    ("title: \"t\"\n  summary: [\n", "invalid YAML"),
    ("- just\n- a list\n", "must be a YAML mapping"),
    ("title: \"t\"\nsummary: \"s\"\ntitel: \"typo\"\n", "course.yaml:3: unknown key 'titel'"),
])
def test_manifest_problems_are_located(tmp_path: Path, text: str, expected: str) -> None:
    root = make_manifests(tmp_path, {"course": text})
    assert any(expected in e for e in errors_of(root)), errors_of(root)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    root = make_manifests(tmp_path, {"one": "title: no\nsummary: no\n", "Two": 'title: "x"\n'})
    (tmp_path / "lessons" / "three").mkdir()
    (tmp_path / "certificates").rmdir()
    errors = errors_of(root)
    assert len(errors) == 5, errors
    assert any("course folder names are slugs" in e for e in errors)
    assert any("lessons/three: course folder has no course.yaml" in e for e in errors)


def test_non_utf8_manifest(tmp_path: Path) -> None:
    root = make_root(tmp_path, {"lessons/c/course.yaml": b"title: \xff\xfe\n"})
    assert any("not UTF-8" in e for e in errors_of(root))
