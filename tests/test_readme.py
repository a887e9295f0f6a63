"""The README is part of the product: its Quick start, its config table and its code sample."""

from __future__ import annotations

import re
import secrets
import sys
import types
from pathlib import Path

import pytest

from course.config import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def test_quick_start_opens_with_exactly_two_commands() -> None:
    first_section = re.search(r"^## (.+)$", README, re.M).group(1)
    assert first_section == "Quick start"
    block = re.search(r"```\n(.*?)```", section("Quick start"), re.S).group(1)
    commands = [line for line in block.splitlines() if line.strip()]
    assert commands == ["./scripts/serve", "./scripts/test"]
    for command in commands:
        assert (ROOT / command).is_file()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "./scripts/test" in ci and "pytest" not in ci


def test_every_config_key_is_documented_with_its_default() -> None:
    table = section("Configuration")
    for setting in SETTINGS:
        row = next((line for line in table.splitlines()
                    if line.startswith(f"| `{setting.key}` |")), None)
        assert row, f"{setting.key} is missing from the README's configuration table"
        assert str(setting.default) in row, f"{setting.key}: default not shown"


def test_every_cli_command_is_documented() -> None:
    from course.cli import cli

    documented = section("Command line")
    for name, command in cli.commands.items():
        subs = getattr(command, "commands", None)
        for full in ([f"course {name} {s}" for s in subs] if subs else [f"course {name}"]):
            assert f"`{full}" in documented, f"`{full}` is not in the README"


def test_the_host_app_sample_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = re.search(r"```python\n(.*?)```", section("Use it in your own Flask app"),
                     re.S).group(1)
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(32))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'host.db'}")
    module = types.ModuleType("readme_sample")
    module.__file__ = str(tmp_path / "readme_sample.py")
    monkeypatch.setitem(sys.modules, "readme_sample", module)
    exec(compile(code, module.__file__, "exec"), module.__dict__)  # noqa: S102
    app, db = module.app, module.db
    with app.app_context():
        db.create_all()  # the host's own table
        db.session.add(module.Employee(name="Sam Sample", is_trainer=True))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["course", "db", "upgrade"])
    assert result.exit_code == 0, result.output
    client = app.test_client()
    assert client.get("/training/catalogue").status_code == 200
    with client.session_transaction() as sess:
        sess["_user_id"] = "1"
        sess["_fresh"] = True
    assert "Sam Sample" in client.get("/training/catalogue").get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()


def test_changelog_keeps_a_changelog() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in changelog and "### Added" in changelog
