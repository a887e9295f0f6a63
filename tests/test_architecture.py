"""The direction of dependencies (design.md §4), checked on the source so it stays true."""

from __future__ import annotations

import ast
import sys
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


#: The feature packages (design.md §4): below the top, above the floor.
FEATURES = ("accounts", "capstone", "certificates", "lessons", "orgs", "privacy", "quizzes")
#: The top: modules that assemble the plugin; nothing below imports them.
TOP = ("course", "course.__main__", "course.app", "course.cli", "course.extension",
       "course.gunicorn_conf")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the course modules it imports (module level and inside functions)."""
    paths = [p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts]
    known = {module_name(p): p for p in paths}
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        targets = set()
        for imported in imports_of(path):
            while imported and imported not in known:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


def import_loops(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    loops: list[list[str]] = []
    sys.setrecursionlimit(10000)

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                loops.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return loops


def feature_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in FEATURES else None


def upward_imports(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Imports that point up: below the top importing the top, a feature importing another
    feature's views, the floor (not a feature, not content) importing a feature."""
    found = []
    for module, targets in sorted(graph.items()):
        if module in TOP:
            continue
        for target in sorted(targets):
            mine, theirs = feature_of(module), feature_of(target)
            if target in TOP and target != "course":
                found.append((module, target))
            elif theirs and mine != theirs and target.rsplit(".", 1)[-1].endswith("views"):
                found.append((module, target))
            elif theirs and mine is None:
                found.append((module, target))
    return found


def graph_summary() -> str:
    """The import graph in a few lines: modules, edges, loops and upward imports."""
    graph = import_graph()
    loops = import_loops(graph)
    upward = upward_imports(graph)
    lines = [f"modules: {len(graph)}  imports: {sum(map(len, graph.values()))}",
             f"import loops: {len(loops)}"]
    lines += [f"  loop of {len(loop)}: {' '.join(loop)}" for loop in loops]
    lines.append(f"upward imports: {len(upward)}")
    lines += [f"  {a} -> {b}" for a, b in upward]
    return "\n".join(lines)


if __name__ == "__main__":
    print(graph_summary())  # noqa: T201 (a report for people, run as a script)
