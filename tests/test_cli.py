"""`flask course ...` commands, run as an administrator would run them."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from course.accounts.models import User
from course.db import session
from tests.conftest import login


def run(app: Flask, *args: str, stdin: str | None = None):
    return app.test_cli_runner().invoke(args=["course", *args], input=stdin)


def test_create_user_with_password_from_stdin(standalone_app: Flask) -> None:
    result = run(standalone_app, "create-user", "Tia@Example.com", "--role", "trainer",
                 "--name", "Tia Trainer", stdin="a long trainer password\n")
    assert result.exit_code == 0, result.output
    assert "created trainer tia@example.com" in result.output
    assert "password:" not in result.output
    assert login(standalone_app.test_client(), "tia@example.com",
                 "a long trainer password").status_code == 302
    with standalone_app.app_context():
        user = session().query(User).one()
        assert (user.role, user.display_name) == ("trainer", "Tia Trainer")


def test_create_user_generates_and_prints_a_password_once(standalone_app: Flask) -> None:
    result = run(standalone_app, "create-user", "max@example.com", stdin="")
    assert result.exit_code == 0, result.output
    password = result.output.split("password: ")[1].strip()
    assert len(password) >= 16
    assert login(standalone_app.test_client(), "max@example.com", password).status_code == 302


def test_create_user_errors_are_clear(standalone_app: Flask) -> None:
    run(standalone_app, "create-user", "max@example.com", stdin="a long enough password\n")
    again = run(standalone_app, "create-user", "max@example.com", stdin="another password 1\n")
    assert again.exit_code == 1 and "already exists" in again.output
    weak = run(standalone_app, "create-user", "new@example.com", stdin="short\n")
    assert weak.exit_code == 1 and "at least 10 characters" in weak.output
    role = run(standalone_app, "create-user", "x@example.com", "--role", "boss")
    assert role.exit_code == 2 and "boss" in role.output


def test_set_password_and_ensure_admin(standalone_app: Flask) -> None:
    first = run(standalone_app, "ensure-admin")
    assert first.exit_code == 0 and "admin@example.com" in first.output
    password = first.output.split("password: ")[1].split()[0]
    assert login(standalone_app.test_client(), "admin@example.com", password).status_code == 302
    second = run(standalone_app, "ensure-admin")
    assert "An administrator exists" in second.output
    changed = run(standalone_app, "set-password", "admin@example.com",
                  stdin="the new admin password\n")
    assert changed.exit_code == 0
    assert login(standalone_app.test_client(), "admin@example.com",
                 "the new admin password").status_code == 302
    missing = run(standalone_app, "set-password", "ghost@example.com", stdin="whatever 12345\n")
    assert missing.exit_code == 1 and "no account" in missing.output


def test_db_current_reports_revisions(standalone_app: Flask) -> None:
    result = run(standalone_app, "db", "current")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split()[-1] == lines[1].split()[-1]


def test_check_passes_on_the_sample_content(standalone_app: Flask) -> None:
    result = run(standalone_app, "check")
    assert result.exit_code == 0, result.output
    assert "no problems" in result.output


def test_check_reports_every_problem_with_file_and_line(standalone_app: Flask,
                                                         tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "lessons" / "good").mkdir(parents=True)
    (root / "lessons" / "broken").mkdir()
    (root / "quizzes").mkdir()
    (root / "lessons" / "good" / "course.yaml").write_text('title: "Fine"\nsummary: "Fine"\n')
    (root / "lessons" / "broken" / "course.yaml").write_text(
        "title: yes\nsummary: \"ok\"\ncolour: blue\n")
    result = run(standalone_app, "check", str(root))
    assert result.exit_code == 1
    assert "content root has no 'certificates/' folder" in result.output
    assert "lessons/broken/course.yaml:1: 'title' must be text, found a true/false value" in (
        result.output)
    assert "lessons/broken/course.yaml:3: unknown key 'colour'" in result.output
    assert "'modules' is missing" in result.output
    assert "5 problem(s)" in result.output


def test_init_content_copies_the_sample_course(standalone_app: Flask, tmp_path: Path) -> None:
    target = tmp_path / "our-content"
    result = run(standalone_app, "init-content", str(target))
    assert result.exit_code == 0, result.output
    assert (target / "lessons" / "social-divide" / "course.yaml").is_file()
    assert run(standalone_app, "check", str(target)).exit_code == 0
    again = run(standalone_app, "init-content", str(target))
    assert again.exit_code == 1 and "not empty" in again.output


def test_import_gift_and_aiken_to_yaml_then_export_gift(standalone_app: Flask,
                                                         tmp_path: Path) -> None:
    from course.content.gift import parse_gift
    from course.content.quizyaml import load_quiz_yaml

    gift = tmp_path / "presence.gift"
    gift.write_text("::a::Is a profile a presence?{FALSE#No.#Right.}\n\n"
                    "::b::Months?{#6:1}\n\n::c::Pick {=yes ~no#Not quite.}\n")
    out = tmp_path / "presence.yaml"
    result = run(standalone_app, "import", str(gift), "--module", "social-graph-presence",
                 "-o", str(out))
    assert result.exit_code == 0, result.output
    quiz, errors = load_quiz_yaml(out.read_text(), "presence.yaml", "social-divide")
    assert errors == [] and [q.type for q in quiz.questions] == ["truefalse", "numeric",
                                                                  "single"]
    assert quiz.module == "social-graph-presence"
    exported = run(standalone_app, "export-gift", str(out))
    assert exported.exit_code == 0
    again = parse_gift(exported.output, "again.gift")
    assert again.errors == [] and [q.id for q in again.questions] == ["a", "b", "c"]

    aiken = tmp_path / "org.txt"
    aiken.write_text("Who engages customers?\nA. Marketing only\nB. Every team\nANSWER: B\n")
    printed = run(standalone_app, "import", str(aiken))
    assert printed.exit_code == 0 and "module: org" in printed.output
    assert "correct: true" in printed.output


def test_import_reports_every_problem_and_writes_nothing(standalone_app: Flask,
                                                        tmp_path: Path) -> None:
    gift = tmp_path / "bad.gift"
    gift.write_text("::a::Essay {}\n\n::b::Fine {T}\n\n::c::Bad {#x}\n")
    out = tmp_path / "bad.yaml"
    result = run(standalone_app, "import", str(gift), "-o", str(out))
    assert result.exit_code == 1
    assert "bad.gift:1: essay questions" in result.output
    assert "bad.gift:5: 'x' is not a number" in result.output
    assert not out.exists()


ITEMCHECK_ROOTS = Path(__file__).parent / "content" / "itemcheck_roots"


def test_check_fails_a_guessable_quiz_naming_the_file_and_figures(standalone_app: Flask) -> None:
    result = run(standalone_app, "check", str(ITEMCHECK_ROOTS / "guessable"))
    assert result.exit_code == 1
    out = result.output
    assert ("quizzes/ic/one.yaml: guessable: a test-wise reader who never opened a lesson "
            "scores 100% on average, at or above the guessing_limit of 50%") in out
    assert "quizzes/ic/one.yaml: guessable: guessing passes with 100% over 3 attempt(s)" in out
    assert ("quizzes/ic/one.yaml: test-wise estimate 100% (limit 50%), pass chance by guessing "
            "100% over 3 attempts; longest-is-key 3/3 (chance 1.0)") in out
    # single cues are warnings with file:line; they are listed, they do not fail on their own
    assert ("warning: quizzes/ic/one.yaml:9: question 'buyer-question': the correct option is "
            "the longest by") in out
    assert ("warning: quizzes/ic/one.yaml:36: question 'good-answers': multiple response with "
            "exactly one wrong option") in out
    assert "warning: quizzes/ic/one.yaml: lesson 'second' has no question" in out
    assert "2 problem(s)" in out


def test_check_passes_a_measured_quiz_and_prints_its_figures(standalone_app: Flask) -> None:
    result = run(standalone_app, "check", str(ITEMCHECK_ROOTS / "measured"))
    assert result.exit_code == 0, result.output
    assert ("quizzes/ic/one.yaml: test-wise estimate 31% (limit 50%), pass chance by guessing "
            "0.056% over 3 attempts") in result.output
    assert "warning:" not in result.output
    assert "1 course(s), 2 lesson(s), no problems" in result.output
