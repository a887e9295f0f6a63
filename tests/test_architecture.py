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
FEATURES = ("accounts", "capstone", "certificates", "lessons", "orgs", "privacy", "quizzes",
            "trainers")
#: The top: modules that assemble the plugin; nothing below imports them.
TOP = ("course", "course.__main__", "course.app", "course.cli", "course.extension",
       "course.gunicorn_conf", "course.datatransfer", "course.migrations_check")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def runtime_imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) for each import that runs (module level or inside a function; not
    under `if TYPE_CHECKING:`), relative imports resolved inside `course`."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text())
    typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                   and ast.unparse(node.test).endswith("TYPE_CHECKING")
                   for stmt in node.body for n in ast.walk(stmt)}
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if (
                node.level) else []
            name = ".".join(base + ([node.module] if node.module else []))
            found.append((name, [alias.name for alias in node.names]))
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the course modules it imports (module level and inside functions). `from
    pkg import mod` points at `pkg.mod` alone: a package's own `__init__` runs before any of
    its modules anyway, so it is not counted as a dependency of theirs."""
    paths = [p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts]
    known = {module_name(p) for p in paths}
    graph: dict[str, set[str]] = {}
    for path in paths:
        name = module_name(path)
        targets = set()
        for imported, names in runtime_imports(path):
            submodules = {f"{imported}.{n}" for n in names} & known
            if submodules:
                targets |= submodules
                if len(submodules) == len(names):
                    continue
            while imported and imported not in known:
                imported = imported.rpartition(".")[0]
            if imported:
                targets.add(imported)
        graph[name] = targets - {name}
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


def test_no_import_loops() -> None:
    """No module reaches itself again through its imports, even inside functions."""
    loops = import_loops(import_graph())
    assert not loops, "import loops:\n" + "\n".join(" ".join(loop) for loop in loops)


def test_imports_point_down() -> None:
    """Nothing below the top imports extension.py (or the rest of the top); a feature never
    imports another feature's views; the floor never imports a feature."""
    upward = upward_imports(import_graph())
    assert not upward, "upward imports:\n" + "\n".join(f"{a} -> {b}" for a, b in upward)


def test_every_feature_has_init_feature() -> None:
    """Each feature package says what it adds to the app in `init_feature(app, state)`."""
    for feature in FEATURES:
        tree = ast.parse((PACKAGE / feature / "__init__.py").read_text())
        names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        assert "init_feature" in names, feature


def test_import_graph_summary_prints(capsys) -> None:  # noqa: ANN001
    """`python -m tests.test_architecture` (or pytest -s) shows the graph in a few lines."""
    print(graph_summary())  # noqa: T201
    assert "import loops: 0" in capsys.readouterr().out


if __name__ == "__main__":
    print(graph_summary())  # noqa: T201 (a report for people, run as a script)
