"""The direction of dependencies (design.md §4), checked on the source so it stays true."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "course"


def imports_of(path: Path) -> set[str]:
    """Absolute names a module imports, with relative imports resolved inside `course`."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return found


def modules_under(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def test_content_is_pure() -> None:
    for path in modules_under("content"):
        for name in imports_of(path):
            top = name.split(".")[0]
            assert top not in {"flask", "flask_login", "flask_sqlalchemy", "sqlalchemy"}, (
                f"{path.name} imports {name}: content must not know Flask or the database")
            if name.startswith("course."):
                assert name.startswith(("course.content", "course.errors")), (path, name)


def test_lessons_and_quizzes_do_not_import_each_other() -> None:
    for a, b in (("lessons", "quizzes"), ("quizzes", "lessons")):
        if not (PACKAGE / a).is_dir():
            continue
        for path in modules_under(a):
            assert not any(n.startswith(f"course.{b}") for n in imports_of(path)), path


def test_features_do_not_reach_into_accounts() -> None:
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in {"accounts", "migrations"} or rel.name in {
                "extension.py", "cli.py", "migrations_check.py"}:
            continue
        assert not any(n.startswith("course.accounts") for n in imports_of(path)), rel


def test_pure_modules_have_no_flask_globals() -> None:
    pure = [PACKAGE / "accounts" / "passwords.py", PACKAGE / "errors.py", PACKAGE / "mail.py"]
    for path in pure:
        assert not any(n.split(".")[0] == "flask" for n in imports_of(path)), path


def test_library_code_never_prints() -> None:
    for path in PACKAGE.rglob("*.py"):
        if path.name in {"__main__.py", "cli.py"}:
            continue
        tree = ast.parse(path.read_text())
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
                 and isinstance(n.func, ast.Name) and n.func.id == "print"]
        assert not calls, f"{path} uses print(); use logging"


def test_every_module_starts_with_a_docstring() -> None:
    for path in PACKAGE.rglob("*.py"):
        if "versions" in path.parts:
            continue
        assert ast.get_docstring(ast.parse(path.read_text())), f"{path} has no module docstring"
