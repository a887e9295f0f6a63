"""Content files written to hurt: YAML alias bombs in every kind of YAML file, lesson paths that
climb out of the course, quiz answers a learner cannot tell apart, and a byte-order mark at the
start of every kind of file. `flask course check` refuses (or accepts) each with file:line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from flask import Flask

from course.content.catalog import load_catalog
from course.content.markdown import RenderJob, render_lesson
from course.content.yamlfile import load_yaml
from course.errors import ContentError, ContentErrors
from tests.content.helpers import LESSON, MANIFEST, make_root
from tests.test_cli import run

#: Nine levels of nine aliases: 9**9 strings once expanded; a few hundred bytes as written.
BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""
QUIZ = ('title: "Q"\nmodule: one\nquestions:\n'
        '  - {id: a, type: truefalse, text: "x", answer: true}\n')
SELF = ('title: "Where"\nintro: "Rate"\nstatements:\n'
        '  - {module: one, text: "I post."}\n')


def course_root(tmp_path: Path, **files: str | None) -> Path:
    """Course `c` (module `one`, lesson `01-a.md`, quiz `one.yaml`), with `files` replacing,
    adding to or (None) removing from it; keys are paths with '/' written as '__'."""
    base: dict[str, str | None] = {"lessons/c/course.yaml": MANIFEST,
                                   "lessons/c/01-one/01-a.md": LESSON, "quizzes/c/one.yaml": QUIZ}
    base.update({name.replace("__", "/"): text for name, text in files.items()})
    return make_root(tmp_path / "root", {k: v for k, v in base.items() if v is not None})


def check(app: Flask, root: Path) -> tuple[int, str]:
    result = run(app, "check", str(root))
    return result.exit_code, result.output


# ---------------------------------------------------------------- YAML budget
ALIAS = "anchors and aliases ('&name', '*name') are not allowed in content files"

BOMBS = {
    "quiz": ({"quizzes__c__one.yaml": 'title: "Q"\nmodule: one\n' + BOMB},
             "quizzes/c/one.yaml:3:"),
    "quiz settings": ({"quizzes__c__one.yaml": None, "quizzes__c__one.gift": "::g::Is it?{T}\n",
                       "quizzes__c__one.settings.yaml": "pass_mark: 70\n" + BOMB},
                      "quizzes/c/one.settings.yaml:2:"),
    "lesson header": ({"lessons__c__01-one__01-a.md":
                       '---\ntitle: "A"\nsummary: "S"\n' + BOMB + "---\n\nWords here.\n"},
                      "lessons/c/01-one/01-a.md:4:"),
    "manifest": ({"lessons__c__course.yaml": MANIFEST + BOMB}, "lessons/c/course.yaml:5:"),
    "self-assessment": ({"lessons__c__self-assessment.yaml": SELF + BOMB},
                        "lessons/c/self-assessment.yaml:5:"),
}


BOMBS["lesson practice block"] = (
    {"lessons__c__01-one__01-a.md": LESSON + "\n```practice\n" + BOMB + "```\n"},
    "lessons/c/01-one/01-a.md:9: practice block:")


@pytest.mark.parametrize("kind", list(BOMBS))
def test_check_refuses_an_alias_bomb_in_every_yaml_file(standalone_app: Flask, tmp_path: Path,
                                                        kind: str) -> None:
    files, location = BOMBS[kind]
    code, output = check(standalone_app, course_root(tmp_path, **files))
    assert code == 1, output
    assert f"{location} {ALIAS}" in output, output


def test_an_alias_is_refused_while_composing_before_anything_is_expanded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def expand(*args: object) -> None:
        raise AssertionError("the document was being built")

    monkeypatch.setattr(yaml.constructor.BaseConstructor, "construct_document", expand)
    with pytest.raises(ContentError, match=r"^m\.yaml:1: anchors and aliases"):
        load_yaml(BOMB, "m.yaml")
    root = course_root(tmp_path, **{"lessons__c__course.yaml": BOMB})
    with pytest.raises(ContentErrors) as info:
        load_catalog(root)
    assert [str(e) for e in info.value.errors] == [
        f"lessons/c/course.yaml:1: {ALIAS}: write the value out in full"]


def test_a_single_harmless_anchor_is_refused_too_and_the_size_is_capped(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match=re.escape(ALIAS)):
        load_yaml("title: &t Hello\nsummary: *t\n", "c.yaml")
    with pytest.raises(ContentError, match="more than 100000 values"):
        load_yaml("x: [" + "1," * 100_001 + "1]\n", "big.yaml")
    with pytest.raises(ContentError, match="larger than 1 MB"):
        load_yaml("x: '" + "a" * 1_000_001 + "'\n", "huge.yaml")


# ---------------------------------------------------------------- lesson paths
CLIMBS = ["../../../secret.md", "%2e%2e/%2e%2e/x.md", "..%2f..%2fx.md", "./../../x.md",
          "%2E%2E%5C%2E%2E%5Cx.md", "/etc/passwd"]


@pytest.mark.parametrize("target", CLIMBS)
def test_check_refuses_links_and_images_that_climb_out_of_the_course(
        standalone_app: Flask, tmp_path: Path, target: str) -> None:
    image = target + ".png"
    markdown = LESSON + f"\n[a link]({target})\n\n![an image]({image})\n"
    raw = (LESSON + f'\n<a href="{target}">raw</a>\n\n<img src="{image}" alt="raw">\n\n'
           '<a href="../files/..\\..\\back.md">back</a>\n\n'
           '<p><img src="../files/../../../up.png" alt="up"></p>\n')
    root = course_root(tmp_path, **{"lessons__c__01-one__01-a.md": markdown,
                                    "lessons__c__01-one__02-b.md": raw})
    code, output = check(standalone_app, root)
    assert code == 1
    md, html = "lessons/c/01-one/01-a.md", "lessons/c/01-one/02-b.md"
    assert f"{md}:8: link '{target}' leads outside the course's own files" in output
    assert f"{md}:10: image '{image}' leads outside the course's own files" in output
    assert f"{html}:8: link '{target}' leads outside" in output
    assert f"{html}:10: link '{image}' leads outside" in output
    assert f"{html}:12: link '../files/..\\..\\back.md' leads outside" in output
    assert f"{html}:14: link '../files/../../../up.png' leads outside" in output


def test_a_climbing_path_is_never_emitted(course_site, content_root: Path) -> None:
    """The sanitiser drops it from the HTML, and the site does not serve a course with it."""
    raw = ('<a href="../files/../../admin">up</a> <img src="../files/one/../../../x.png">\n\n'
           '[md](../files/%2e%2e/%2e%2e/admin)\n')
    rendered = render_lesson(RenderJob("l.md", "one/l.md", raw, 1, {}, frozenset()))
    assert "../files/.." not in rendered.html and "%2e" not in rendered.html
    assert len(rendered.problems) == 3
    lesson = next((content_root / "lessons" / "social-divide").glob("01-*/01-*.md"))
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n" + raw, encoding="utf-8")
    page = course_site.trainer_client().get(course_site.url(
        "/courses/social-divide/lessons/" + lesson.stem.split("-", 1)[1]))
    html = page.get_data(as_text=True)
    assert 'href="../files/..' not in html and 'src="../files/one/..' not in html


# ---------------------------------------------------------------- quiz answers
def _question(body: str) -> str:
    return 'title: "Q"\nmodule: one\nquestions:\n' + body


DUPLICATES = {
    "repeated option": (_question(
        "  - id: a\n    type: single\n    text: x\n    options:\n"
        "      - {text: 'Reply to buyers', correct: true}\n      - {text: '  reply TO  buyers'}\n"),
        "quizzes/c/one.yaml:9: option 2 repeats option 1"),
    "empty option": (_question(
        "  - id: a\n    type: multiple\n    text: x\n    options:\n"
        "      - {text: 'A', weight: 100}\n      - {text: '   '}\n"),
        "quizzes/c/one.yaml:9: option 2 is empty"),
    "repeated prompt": (_question(
        "  - id: a\n    type: matching\n    text: x\n    pairs:\n"
        "      - {prompt: 'Sales', answer: 'Buyers'}\n"
        "      - {prompt: 'sales', answer: 'Answers'}\n"),
        "quizzes/c/one.yaml:9: prompt 2 repeats prompt 1"),
    "repeated answer": (_question(
        "  - id: a\n    type: matching\n    text: x\n    pairs:\n"
        "      - {prompt: 'Sales', answer: 'Buyers'}\n"
        "      - {prompt: 'Support', answer: 'BUYERS'}\n"),
        "quizzes/c/one.yaml:9: answer 2 repeats answer 1"),
    "repeated item": (_question(
        "  - id: a\n    type: ordering\n    text: x\n    items: ['Connect', 'Share', 'connect']\n"),
        "quizzes/c/one.yaml:7: item 3 repeats item 1"),
}


@pytest.mark.parametrize("case", list(DUPLICATES))
def test_check_refuses_empty_and_repeated_answer_texts(standalone_app: Flask, tmp_path: Path,
                                                       case: str) -> None:
    text, expected = DUPLICATES[case]
    code, output = check(standalone_app, course_root(tmp_path, **{"quizzes__c__one.yaml": text}))
    assert code == 1
    assert expected in output, output


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("one.gift", "::g::Which?{=Reply ~reply ~Post}\n", "quizzes/c/one.gift:1: question 'g': "
                                                       "option 2 repeats option 1"),
    ("one.gift", "::m::Match{=Sales -> Buyers =Support -> buyers}\n",
     "quizzes/c/one.gift:1: question 'm': answer 2 repeats answer 1"),
    ("one.txt", "Which?\nA. Reply\nB. Post\nC.  reply\nANSWER: A\n",
     "quizzes/c/one.txt:1: question 'q1': option 3 repeats option 1"),
])
def test_gift_and_aiken_refuse_repeated_options(standalone_app: Flask, tmp_path: Path,
                                                name: str, text: str, expected: str) -> None:
    root = course_root(tmp_path, **{f"quizzes__c__{name}": text, "quizzes__c__one.yaml": None})
    code, output = check(standalone_app, root)
    assert code == 1
    assert expected in output, output


# ---------------------------------------------------------------- byte-order marks
BOM = "\ufeff"


def test_a_byte_order_mark_is_accepted_in_every_kind_of_content_file(
        standalone_app: Flask, tmp_path: Path) -> None:
    manifest = MANIFEST + "  - {slug: two, title: Two}\n  - {slug: three, title: Three}\n"
    root = course_root(tmp_path, **{
        "lessons__c__course.yaml": BOM + manifest,
        "lessons__c__01-one__01-a.md": BOM + LESSON,
        "lessons__c__02-two__01-b.md": LESSON.replace("A lesson", "B lesson"),
        "lessons__c__03-three__01-c.md": LESSON.replace("A lesson", "C lesson"),
        "lessons__c__self-assessment.yaml": BOM + SELF,
        "quizzes__c__one.yaml": BOM + QUIZ,
        "quizzes__c__two.gift": BOM + "::g::Is it?{T}\n",
        "quizzes__c__two.settings.yaml": BOM + "pass_mark: 70\n",
        "quizzes__c__three.txt": BOM + "Which?\nA. Reply\nB. Post\nANSWER: A\n",
    })
    _, output = check(standalone_app, root)
    # Only the item check may judge these one-question quizzes; nothing is misread.
    misread = [line for line in output.splitlines()
               if line.startswith(("lessons/", "quizzes/c/one.yaml:", "quizzes/c/two.",
                                   "quizzes/c/three.txt:")) and "guess" not in line
               and not line.startswith("warning")]
    assert misread == [], output
    catalog = load_catalog(root)
    course = catalog.get("c")
    assert course.title == "T" and course.lessons[0].title == "A lesson"
    assert course.self_assessment.title == "Where"
    from course.content.quizzes import load_quizzes

    quizzes, errors = load_quizzes(root, catalog)
    assert errors == []
    assert quizzes[("c", "one")].title == "Q"
    assert quizzes[("c", "two")].pass_mark == 70
    assert quizzes[("c", "two")].questions[0].id == "g"
    assert quizzes[("c", "three")].questions[0].text == "Which?"
