"""The capstone block of a course manifest: the rubric's arithmetic (pure), and `flask course
check` on fixture roots, reporting each problem with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from course.capstone.operations import upload_folder
from course.content.capstone import Criterion, Level, Rubric, evaluate, key_lines, rebase
from tests.capstone.conftest import COURSE, build_root

HEAD = 'title: "Capstone course"\nsummary: "S"\nmodules:\n  - {slug: only, title: "One"}\n'
BROKEN = HEAD + """\
capstone:
  title: "Plan"
  brief: missing.md
  colour: red
  rubric:
    criteria:
      - name: "Clarity"
        levels:
          - {name: "Low", descriptor: "d", points: 0}
          - {name: "Low", descriptor: "d", points: 1}
      - name: "Clarity"
        levels:
          - {name: "Only", descriptor: "d", points: 1}
      - name: "Measures"
      - name: "Tone"
        levels:
          - {name: "Flat", descriptor: "d", points: 0}
          - {name: "Warm", points: yes}
    pass: {min_total: 3}
"""
RUBRIC = """\
capstone:
  title: "Plan"
  brief: brief.md
  rubric:
    criteria:
      - name: "Clarity"
        levels:
          - {name: "Low", descriptor: "d", points: 0}
          - {name: "High", descriptor: "d", points: 2}
      - name: "Measures"
        levels:
          - {name: "None", descriptor: "d", points: 0}
          - {name: "Some", descriptor: "d", points: 1}
"""


def run_check(app: Flask, root: Path):
    return app.test_cli_runner().invoke(args=["course", "check", str(root)])


def with_manifest(tmp_path: Path, manifest: str, brief: str | None = None) -> Path:
    root = build_root(tmp_path / "root")
    (root / "lessons" / COURSE / "course.yaml").write_text(manifest)
    if brief is not None:
        (root / "lessons" / COURSE / "brief.md").write_text(brief)
    return root


def test_a_valid_capstone_passes_check(standalone_app: Flask, tmp_path: Path) -> None:
    result = run_check(standalone_app, build_root(tmp_path / "root"))
    assert result.exit_code == 0, result.output


def test_every_problem_is_reported_with_its_line(standalone_app: Flask, tmp_path: Path) -> None:
    result = run_check(standalone_app, with_manifest(tmp_path, BROKEN))
    assert result.exit_code == 1
    manifest = f"lessons/{COURSE}/course.yaml"
    for expected in (
            f"{manifest}:7: brief file 'missing.md' not found beside course.yaml",
            f"{manifest}:8: 'capstone': unknown key 'colour'",
            f"{manifest}:14: criterion 'Clarity' has two levels called 'Low'",
            f"{manifest}:15: two criteria are called 'Clarity'",
            f"{manifest}:16: criterion 'Clarity' needs 'levels': a list of at least two",
            f"{manifest}:18: criterion 'Measures' needs 'levels'",
            f"{manifest}:22: level 'Warm' 'descriptor' must be text",
            f"{manifest}:22: level 'Warm' 'points' must be a whole number"):
        assert expected in result.output, (expected, result.output)


@pytest.mark.parametrize(("rule", "expected"), [
    ("{min_total: 4}", ":18: min_total 4 can never be reached: the most a submission can "
                       "score is 3"),
    ("{min_each: 2}", ":18: min_each 2 can never be reached: criterion 'Measures' gives at "
                      "most 1"),
    ("{min_total: 0}", ":18: the pass rule is met by the lowest level of every criterion"),
    ("{}", ":18: 'pass' needs min_total, min_each or both"),
    ("{min_total: 2, at_least: 1}", ":18: 'pass': unknown key 'at_least'"),
])
def test_an_impossible_or_empty_pass_rule_fails(standalone_app: Flask, tmp_path: Path,
                                                rule: str, expected: str) -> None:
    root = with_manifest(tmp_path, HEAD + RUBRIC + f"    pass: {rule}\n")
    result = run_check(standalone_app, root)
    assert result.exit_code == 1
    assert f"lessons/{COURSE}/course.yaml" + expected in result.output, result.output


def test_a_rubric_needs_a_pass_rule(standalone_app: Flask, tmp_path: Path) -> None:
    result = run_check(standalone_app, with_manifest(tmp_path, HEAD + RUBRIC))
    assert result.exit_code == 1
    assert f"lessons/{COURSE}/course.yaml:8: 'rubric' needs a 'pass' rule" in result.output


def test_the_brief_is_checked_like_a_lesson(standalone_app: Flask, tmp_path: Path) -> None:
    root = build_root(tmp_path / "root")
    (root / "lessons" / COURSE / "brief.md").write_text("Fine.\n\nSee [this](nowhere.md).\n")
    result = run_check(standalone_app, root)
    assert result.exit_code == 1
    assert f"lessons/{COURSE}/brief.md:3: broken link 'nowhere.md'" in result.output


def test_the_sample_course_declares_its_capstone() -> None:
    from course.content import find_content_root, load_catalog

    course = load_catalog(find_content_root(None)).get("social-divide")
    capstone = course.capstone
    assert capstone.title == "Your 90-day plan" and capstone.required is True
    assert [c.name for c in capstone.rubric.criteria] == [
        "Social Graph & Presence", "Organisation", "Role Model", "Education",
        "Measures and reviews"]
    assert all(3 <= len(c.levels) <= 4 for c in capstone.rubric.criteria)
    # every section of the brief has its place in the template and a criterion to mark it
    for name in [c.name for c in capstone.rubric.criteria]:
        assert f"## {name}" in capstone.template, name
    assert "Week-six review on:" in capstone.template
    assert "Week-twelve review on:" in capstone.template


RULE = Rubric((Criterion("A", (Level("low", "d", 0), Level("mid", "d", 1), Level("top", "d", 2))),
               Criterion("B", (Level("no", "d", 0), Level("yes", "d", 1)))),
              min_total=2, min_each=1)


def test_the_pass_rule_needs_the_total_and_every_criterion() -> None:
    assert evaluate(RULE, {"A": "top", "B": "yes"}).passes
    assert evaluate(RULE, {"A": "mid", "B": "yes"}).passes
    fails = evaluate(RULE, {"A": "top", "B": "no"})
    assert not fails.passes and fails.total == 2 and fails.max_total == 3
    assert fails.shortfalls == ("B: 0 points, below the 1 every criterion needs",)
    missing = evaluate(RULE, {"A": "top", "B": "perhaps"})
    assert not missing.passes and "B: no level chosen" in missing.shortfalls
    assert RULE.describe_rule() == ("at least 2 of 3 points in total and at least 1 point on "
                                    "every criterion")
    assert Rubric.from_dict(RULE.to_dict()) == RULE


def test_brief_links_are_rewritten_for_the_capstone_page() -> None:
    html = ('<a href="the-lesson#s-x">l</a><img src="../files/01-a/p.png">'
            '<a href="https://example.com/a">e</a><a href="#s-top">t</a>')
    assert rebase(html) == ('<a href="lessons/the-lesson#s-x">l</a><img src="files/01-a/p.png">'
                            '<a href="https://example.com/a">e</a><a href="#s-top">t</a>')


def test_key_lines_locate_nested_keys() -> None:
    lines = key_lines("a:\n  b:\n    - {c: 1}\n    - d: 2\n")
    assert lines[("a",)] == 1 and lines[("a", "b", 0, "c")] == 3
    assert lines[("a", "b", 1, "d")] == 4


def test_attachments_default_to_a_folder_in_the_instance_folder(standalone_app: Flask) -> None:
    folder = upload_folder(standalone_app)
    assert folder == Path(standalone_app.instance_path) / "capstone-uploads"
