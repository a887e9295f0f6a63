"""`flask course ...` commands: database, users, content, organisations."""

from __future__ import annotations

import secrets
import shutil
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from . import migrate
from .content import find_content_root
from .content.catalog import CONTENT_DIRS
from .content.check import check_items, check_root
from .errors import ContentErrors
from .hosting import secret_problem
from .identity import ADMIN, ROLES
from .state import get_state


@click.group("course", help="Manage the training course: database, users and content.")
@with_appcontext
def cli() -> None:
    problem = secret_problem(current_app)  # the host's own commands are not checked
    if problem is not None:
        raise click.ClickException(problem)


def _engine():  # noqa: ANN202
    return get_state().db.engine


# ---------------------------------------------------------------- database
@cli.group("db", help="The plugin's database migrations (its own version table).")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Apply migrations (default: to the newest).")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    _ensure_sqlite_folder()
    migrate.upgrade(_engine(), revision)
    click.echo(f"database at revision {migrate.current_revision(_engine())}")


@db_group.command("downgrade", help="Revert migrations to REVISION ('base' drops every table).")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    migrate.downgrade(_engine(), revision)
    click.echo(f"database at revision {migrate.current_revision(_engine())}")


@db_group.command("current", help="Show the database's revision and the newest one.")
@with_appcontext
def db_current() -> None:
    click.echo(f"database: {migrate.current_revision(_engine())}")
    click.echo(f"newest:   {migrate.head_revision()}")


def _ensure_sqlite_folder() -> None:
    url = _engine().url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


# ---------------------------------------------------------------- users
@cli.command("create-user", help="Create a standalone account. The password is read from "
             "standard input when piped, otherwise generated and printed once.")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="learner", show_default=True)
@click.option("--name", "display_name", default=None, help="Display name (default: from EMAIL).")
@with_appcontext
def create_user_cmd(email: str, role: str, display_name: str | None) -> None:
    from .accounts import services
    from .db import session

    def create(policy: services.PasswordPolicy, password: str) -> str:
        user = services.create_user(session(), policy, email=email, password=password,
                                    display_name=display_name or email.split("@")[0],
                                    role=role)
        return f"created {role} {user.email}"

    _with_password(create)


@cli.command("set-password", help="Set a standalone account's password (from stdin, or "
             "generated and printed once); ends the account's sessions.")
@click.argument("email")
@with_appcontext
def set_password_cmd(email: str) -> None:
    from .accounts import services
    from .db import session

    user = services.find_user(session(), email)
    if user is None:
        raise click.ClickException(f"no account uses {email}")
    def change(policy: services.PasswordPolicy, password: str) -> str:
        services.set_password(session(), policy, user, password)
        return f"password changed for {user.email}"

    _with_password(change)


@cli.command("ensure-admin", help="Create a first administrator if there is none, and print "
             "how to log in.")
@click.option("--email", default="admin@example.com", show_default=True)
@with_appcontext
def ensure_admin_cmd(email: str) -> None:
    from .accounts import services
    from .db import session

    if services.has_admin(session()):
        click.echo("An administrator exists. Forgot the password? "
                   "Run: flask --app wsgi course set-password EMAIL")
        return
    password = secrets.token_urlsafe(12)
    policy = services.PasswordPolicy.from_config(current_app.config)
    services.create_user(session(), policy, email=email, password=password,
                         display_name="Administrator", role=ADMIN)
    session().commit()
    click.echo(f"First administrator created. Log in as {email} with password: {password}")
    click.echo("(shown once; change it under Account > Change password)")


def _with_password(action) -> None:  # noqa: ANN001
    """Run `action(policy, password)` with a piped or generated password, commit, and report.

    A generated password is printed once, after the commit; a refusal rolls back and exits 1.
    """
    from .accounts import services
    from .db import session

    password, generated = _read_password()
    try:
        message = action(services.PasswordPolicy.from_config(current_app.config), password)
    except services.AccountError as exc:
        session().rollback()
        raise click.ClickException(str(exc)) from None
    session().commit()
    click.echo(message)
    if generated:
        click.echo(f"password: {password}")


def _read_password() -> tuple[str, bool]:
    if not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\r\n")
        if line:
            return line, False
    return secrets.token_urlsafe(12), True


# ---------------------------------------------------------------- content
@cli.command("check", help="Validate a content root (default: the configured one) and print "
             "every problem as file:line: reason, then the item check of every quiz: its "
             "cues as warnings and one line of figures (test-wise estimate, pass chance by "
             "guessing).")
@click.argument("root", required=False, type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def check_cmd(root: Path | None) -> None:
    root = (root or find_content_root(current_app.config["COURSE_CONTENT_ROOT"])).resolve()
    types = get_state().question_types  # this app's question types, added ones included
    try:
        catalog, errors = check_root(root, float(
            current_app.config["COURSE_RENDER_BUDGET_SECONDS"]), types), []
    except ContentErrors as exc:
        catalog, errors = None, list(exc.errors)
    reports = check_items(root, types)
    for report in reports:
        for warning in report.warnings:
            click.echo(f"warning: {warning}")
        errors += report.errors
        click.echo(report.figures)
    for error in errors:
        click.echo(str(error), err=True)
    if errors or catalog is None:
        raise click.ClickException(f"{len(errors)} problem(s) in {root}")
    warnings = sum(len(r.warnings) for r in reports)
    lessons = sum(len(c.lessons) for c in catalog.courses)
    click.echo(f"{root}: {len(catalog.courses)} course(s), {lessons} lesson(s), no problems"
               + (f" ({warnings} warning(s) to consider)" if warnings else ""))


@cli.command("init-content", help="Create a new content root in DIR from the sample course.")
@click.argument("directory", type=click.Path(path_type=Path))
def init_content_cmd(directory: Path) -> None:
    source = find_content_root(None)
    if directory.exists() and any(directory.iterdir()):
        raise click.ClickException(f"{directory} exists and is not empty")
    directory.mkdir(parents=True, exist_ok=True)
    for name in CONTENT_DIRS:
        shutil.copytree(source / name, directory / name)
    click.echo(f"content root created in {directory}; set COURSE_CONTENT_ROOT={directory}")


# ---------------------------------------------------------------- quiz formats
@cli.command("import", help="Convert a GIFT (.gift) or Aiken (.txt) quiz file to our YAML quiz "
             "format, written to --output or printed.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--module", default=None, help="Module the quiz belongs to (default: file name).")
@click.option("--title", default=None, help="Quiz title (default: from the module).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None)
def import_cmd(file: Path, module: str | None, title: str | None, output: Path | None) -> None:
    from .content.aiken import parse_aiken
    from .content.gift import parse_gift
    from .content.quiz import Quiz
    from .content.quizyaml import write_quiz_yaml

    if file.suffix not in (".gift", ".txt"):
        raise click.ClickException("import reads GIFT (.gift) and Aiken (.txt) files")
    text = file.read_text(encoding="utf-8")
    parsed = (parse_gift if file.suffix == ".gift" else parse_aiken)(text, str(file))
    for error in parsed.errors:
        click.echo(str(error), err=True)
    if parsed.errors:
        raise click.ClickException(f"{len(parsed.errors)} problem(s); nothing written")
    module = module or file.stem
    quiz = Quiz("", module, str(file), title or f"Quiz: {module}",
                questions=tuple(parsed.questions))
    yaml_text = write_quiz_yaml(quiz)
    if output is None:
        click.echo(yaml_text, nl=False)
    else:
        output.write_text(yaml_text, encoding="utf-8")
        click.echo(f"{len(quiz.questions)} question(s) written to {output}", err=True)


@cli.command("export-gift", help="Write a YAML quiz file's questions as GIFT, to --output or "
             "printed. Ordering questions, which GIFT cannot express, become comments.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export_gift_cmd(file: Path, output: Path | None) -> None:
    from .content.gift import write_gift

    quiz = _load_quiz_file(file)
    gift = write_gift(quiz)
    if output is None:
        click.echo(gift)
    else:
        output.write_text(gift + "\n", encoding="utf-8")
        click.echo(f"{len(quiz.questions)} question(s) written to {output}", err=True)


def _load_quiz_file(file: Path):  # noqa: ANN202
    """A YAML quiz file, its problems printed; ClickException (nothing written) if unreadable."""
    from .content.quizyaml import load_quiz_yaml

    quiz, errors = load_quiz_yaml(file.read_text(encoding="utf-8"), str(file),
                                  file.parent.name)
    for error in errors:
        click.echo(str(error), err=True)
    if quiz is None:
        raise click.ClickException(f"{len(errors)} problem(s); nothing written")
    return quiz


@cli.command("blind-trial", help="Write a quiz's question sheet for a blind trial (someone who "
             "has not read the lessons answers it) to SHEET, and its key to --key (keep it "
             "apart). Mark the answers with `blind-score`.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("sheet", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--key", "key_path", required=True,
              type=click.Path(dir_okay=False, path_type=Path), help="where the key goes (JSON)")
@click.option("--seed", type=int, default=0, help="the options' shuffle (default 0)")
@click.option("--form", is_flag=True,
              help="only the questions of one attempt's draw (seeded by --seed), not the bank")
def blind_trial_cmd(file: Path, sheet: Path, key_path: Path, seed: int, form: bool) -> None:
    import json

    from .content.blindtrial import make_sheet

    made = make_sheet(_load_quiz_file(file), seed, form)
    if not made.key["items"]:
        raise click.ClickException("no single-choice, multiple-response or true/false "
                                   "question: nothing to trial")
    sheet.write_text(made.text, encoding="utf-8")
    key_path.write_text(json.dumps(made.key, indent=1) + "\n", encoding="utf-8")
    left = f"; {made.left_out} question(s) of other types left out" if made.left_out else ""
    click.echo(f"{len(made.key['items'])} question(s) written to {sheet}, the key to "
               f"{key_path}{left}")


@cli.command("blind-score", help="Mark a blind trial's ANSWERS (lines '3: B', or a JSON object) "
             "against its KEY: the score, whether it passes, and the questions missed.")
@click.argument("key_path", metavar="KEY",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("answers", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def blind_score_cmd(key_path: Path, answers: Path) -> None:
    import json

    from .content.blindtrial import AnswersError, read_answers, score

    try:
        key = json.loads(key_path.read_text(encoding="utf-8"))
        given = read_answers(answers.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, AnswersError) as exc:
        raise click.ClickException(f"{answers if isinstance(exc, AnswersError) else key_path}: "
                                   f"{exc}") from exc
    if not isinstance(key, dict) or not isinstance(key.get("items"), dict):
        raise click.ClickException(f"{key_path}: not a blind-trial key")
    result = score(key, given)
    verdict = "passes" if result.passed else "does not pass"
    click.echo(f"{key.get('quiz', 'quiz')}: {result.right} of {result.total} right "
               f"({result.percent:.0f}%), {verdict} at {result.pass_mark}%; "
               f"unanswered {result.unanswered}")
    if result.wrong:
        click.echo(f"missed: {', '.join(result.wrong)}")
    if result.passed:
        click.echo("If this reader had not read the lessons, the quiz does not yet show that "
                   "someone learned them.")


# ---------------------------------------------------------------- organisations
def _add_org_commands() -> None:
    from .orgs.commands import COMMANDS

    for command in COMMANDS:
        cli.add_command(command)


_add_org_commands()


@cli.command("appoint-manager", help="Make someone a manager of organisation SLUG: a "
               "standalone account by EMAIL, or a host app's user with --user-id.")
@click.argument("slug")
@click.argument("email")
@click.option("--user-id", default=None, help="A host app's user id (its get_id()).")
@click.option("--name", default=None, help="Their name (default: from the account or EMAIL).")
@with_appcontext
def appoint_manager_cmd(slug: str, email: str, user_id: str | None, name: str | None) -> None:
    from .db import session
    from .orgs import services
    from .orgs.commands import org_or_fail
    from .orgs.models import MANAGER

    org = org_or_fail(slug)
    if user_id is None:
        if not get_state().accounts:
            raise click.ClickException("this app uses its host's accounts: pass --user-id")
        from .accounts import services as accounts

        user = accounts.find_user(session(), email)
        if user is None:
            raise click.ClickException(f"no account uses {email}; create it first "
                                       "(flask course create-user)")
        user_id, name = user.course_user_id, name or user.display_name
    try:
        services.add_member(session(), org, user_id=user_id, name=name or email.split("@")[0],
                            email=email, role=MANAGER)
    except services.OrgError as exc:
        raise click.ClickException(str(exc)) from None
    session().commit()
    click.echo(f"{email} manages {org.name}")


# ---------------------------------------------------------------- backup and moving
@cli.command("export-data", help="Write every plugin table to FILE as JSON (gzip when FILE "
             "ends in .gz): a backup, or the first half of a move to another database.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def export_data_cmd(file: Path) -> None:
    from .datatransfer import export_data, write

    def progress(table: str, rows: int) -> None:
        click.echo(f"  {table}: {rows} row(s)")

    data = export_data(_engine(), progress)
    write(file, data)
    total = sum(len(rows) for rows in data["tables"].values())
    click.echo(f"exported {total} row(s) from {len(data['tables'])} table(s) to {file}")


@cli.command("import-data", help="Load an export-data FILE into this database, which must be "
             "migrated to the same revision and hold no plugin data yet.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_data_cmd(file: Path) -> None:
    from .datatransfer import DataTransferError, import_data, read

    def progress(table: str, rows: int) -> None:
        click.echo(f"  {table}: {rows} row(s)")

    try:
        total = import_data(_engine(), read(file), progress)
    except DataTransferError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"imported {total} row(s) from {file}")
