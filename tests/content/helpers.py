"""Build small content roots for tests: a dict of relative paths to file texts."""

from __future__ import annotations

from pathlib import Path

MANIFEST = 'title: "T"\nsummary: "S"\nmodules:\n  - {slug: one, title: "One"}\n'
LESSON = '---\ntitle: "A lesson"\nsummary: "What it is about"\n---\n\nSome words to read.\n'


def make_root(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    """A content root holding `files`; the three top folders always exist."""
    for name in ("lessons", "quizzes", "certificates"):
        (tmp_path / name).mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
    return tmp_path


def one_course(tmp_path: Path, manifest: str = MANIFEST, **lessons: str) -> Path:
    """A root with course `c`, module `one`, and the given lessons (file name -> text)."""
    files = {"lessons/c/course.yaml": manifest}
    for name, text in (lessons or {"01-a.md": LESSON}).items():
        files[f"lessons/c/01-one/{name}"] = text
    return make_root(tmp_path, files)
