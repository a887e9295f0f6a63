"""Lessons in a content root: slugs, hashes, reading time, and every kind of content error."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from course.content import load_catalog
from course.content.check import check_root
from course.errors import ContentErrors
from tests.content.helpers import LESSON, MANIFEST, make_root, one_course


def test_slugs_survive_reordering_and_hashes_follow_content(tmp_path: Path) -> None:
    root = one_course(tmp_path / "a", **{"01-first.md": LESSON, "02-second.md": LESSON})
    before = load_catalog(root).get("c")
    assert [x.slug for x in before.lessons] == ["first", "second"]
    (root / "lessons/c/01-one/01-first.md").rename(root / "lessons/c/01-one/03-first.md")
    after = load_catalog(root).get("c")
    assert [x.slug for x in after.lessons] == ["second", "first"]
    assert before.lesson("first").content_hash == after.lesson("first").content_hash
    (root / "lessons/c/01-one/03-first.md").write_text(LESSON + "More.\n")
    assert load_catalog(root).get("c").lesson("first").content_hash != (
        before.lesson("first").content_hash)


def test_header_fields_and_reading_time(tmp_path: Path) -> None:
    body = " ".join(["word"] * 450)
    root = one_course(tmp_path, **{
        "01-a.md": f'---\ntitle: "A"\nsummary: "S"\nobjectives:\n  - "Do x"\n---\n{body}\n',
        "02-b.md": '---\ntitle: "B"\nsummary: "S"\nminutes: 12\ndraft: true\nslug: custom\n'
                   '---\nText.\n'})
    a, b = load_catalog(root).get("c").lessons
    assert (a.minutes, a.objectives, a.words) == (3, ("Do x",), 450)
    assert (b.slug, b.minutes, b.draft) == ("custom", 12, True)


FIXTURE = {
    "lessons/c/course.yaml": MANIFEST.replace("modules:\n", "colour: red\nmodules:\n") + (
        "  - {slug: two, title: Two}\n  - {slug: three, title: Three}\n"
        "  - {slug: missing, title: Missing}\n"),
    # one of each lesson problem, in module one
    "lessons/c/01-one/01-unknown-key.md": '---\ntitle: "T"\nsummary: "S"\nlevel: 3\n---\nText.\n',
    "lessons/c/01-one/02-bad-value.md": '---\ntitle: yes\nsummary: "S"\n---\nText.\n',
    "lessons/c/01-one/03-no-header.md": "Just text, no header.\n",
    "lessons/c/01-one/04-broken-link.md": '---\ntitle: "T"\nsummary: "S"\n---\n\nSee '
                                          "[this](05-nowhere.md).\n",
    "lessons/c/01-one/05-broken-image.md": '---\ntitle: "T"\nsummary: "S"\n---\nText.\n\n'
                                           "![chart](chart.png)\n",
    "lessons/c/01-one/06-empty.md": '---\ntitle: "T"\nsummary: "S"\n---\n\n',
    "lessons/c/01-one/07-oversized.md": '---\ntitle: "T"\nsummary: "S"\n---\n'
                                        + "word " * 41_000,
    "lessons/c/01-one/08-h1.md": '---\ntitle: "T"\nsummary: "S"\n---\nIntro.\n\n# Big\n',
    "lessons/c/01-one/09-slow.md": '---\ntitle: "T"\nsummary: "S"\n---\n'
                                   + "[" * 12000 + "x" + "](a)" * 12000 + "\n",
    "lessons/c/02-two/01-dup.md": '---\ntitle: "T"\nsummary: "S"\nslug: broken-link\n---\nT.\n',
    "lessons/c/03-three/notes.txt": "not a lesson",
    "lessons/c/04-extra/01-a.md": LESSON,
}
EXPECTED = [
    "lessons/c/course.yaml:3: unknown key 'colour'",
    "lessons/c/01-one/01-unknown-key.md:4: unknown header key 'level'",
    "lessons/c/01-one/02-bad-value.md:2: 'title' must be text, found a true/false value",
    "lessons/c/01-one/03-no-header.md:1: a lesson starts with a header",
    "lessons/c/01-one/04-broken-link.md:6: broken link '05-nowhere.md'",
    "lessons/c/01-one/05-broken-image.md:7: broken image 'chart.png'",
    "lessons/c/01-one/06-empty.md:5: the lesson has no text",
    "lessons/c/01-one/07-oversized.md: the lesson is 205 KB; the limit is 200 KB",
    "lessons/c/01-one/08-h1.md:7: use '##' for sections",
    "lessons/c/01-one/09-slow.md: rendering took longer than 1 s",
    "lessons/c/02-two/01-dup.md:1: lesson slug 'broken-link' is already used",
    "lessons/c/03-three/notes.txt: unsupported file",
    "lessons/c/04-extra: folder is not a module listed in course.yaml",
    "lessons/c/missing: module 'missing' has no folder",
]


def test_check_reports_one_of_each_error_with_file_and_line(tmp_path: Path) -> None:
    root = make_root(tmp_path, FIXTURE)
    errors = _all_errors(root)
    for expected in EXPECTED:
        assert any(e.startswith(expected) for e in errors), f"{expected!r} not in {errors}"


def _all_errors(root: Path) -> list[str]:
    with pytest.raises(ContentErrors) as info:
        check_root(root, budget_seconds=1)
    return [str(e) for e in info.value.errors]


def test_check_command_exits_non_zero_and_lists_everything(standalone_app: Flask,
                                                           tmp_path: Path) -> None:
    root = make_root(tmp_path, FIXTURE)
    standalone_app.config["COURSE_RENDER_BUDGET_SECONDS"] = 1
    result = standalone_app.test_cli_runner().invoke(args=["course", "check", str(root)])
    assert result.exit_code == 1
    for expected in EXPECTED:
        assert expected in result.output, expected
    assert f"{len(EXPECTED)} problem(s)" in result.output


def test_check_passes_on_the_sample_course(standalone_app: Flask) -> None:
    result = standalone_app.test_cli_runner().invoke(args=["course", "check"])
    assert result.exit_code == 0, result.output
    assert "lesson(s), no problems" in result.output


def test_links_between_lessons_and_to_images_resolve(tmp_path: Path) -> None:
    root = make_root(tmp_path, {
        "lessons/c/course.yaml": MANIFEST + "  - {slug: two, title: Two}\n",
        "lessons/c/01-one/01-a.md": '---\ntitle: "A"\nsummary: "S"\n---\n'
                                    "Go to [b](../02-two/01-b.md#part) and see ![x](pic.svg).\n",
        "lessons/c/01-one/pic.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        "lessons/c/02-two/01-b.md": LESSON,
    })
    check_root(root)  # no errors
