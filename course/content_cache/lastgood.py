"""The last good content version, kept in the database so that a process started while a
content file is broken still serves the course as it was.

After every load without problems the library stores the source files of `lessons/` and
`quizzes/` (text as text, images base64) as one row of `course_rendered_lesson` under
LAST_GOOD_KEY, its `toc` column holding the version's digest; the lessons' rendered HTML is
already stored there under their own keys. A process whose content has problems and that has no
good version of its own unpacks that row into a private folder and loads it: the render keys
match, so nothing is rendered again."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import shutil
import tempfile
import weakref
from pathlib import Path

from sqlalchemy import Engine, delete, select

from ..db import utcnow
from .models import RenderedLesson

log = logging.getLogger(__name__)
LAST_GOOD_KEY = "content:last-good"
FOLDERS = ("lessons", "quizzes")
MAX_BYTES = 50_000_000  # a content root larger than this is not kept (the log says so)


def _files(root: Path) -> dict[str, bytes]:
    found = {}
    for folder in FOLDERS:
        base = root / folder
        if base.is_dir():
            for path in sorted(base.rglob("*")):
                if path.is_file() and not any(p.startswith(".") for p in path.parts[-3:]):
                    found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


def _pack(files: dict[str, bytes]) -> tuple[str, str]:
    """(digest, JSON) of the files: text kept readable, anything else base64."""
    digest = hashlib.sha256()
    packed: dict[str, dict[str, str]] = {}
    for name, data in files.items():
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        try:
            packed[name] = {"text": data.decode("utf-8")}
        except UnicodeDecodeError:
            packed[name] = {"base64": base64.b64encode(data).decode("ascii")}
    return digest.hexdigest(), json.dumps(packed, ensure_ascii=False)


def remember(engine: Engine, root: Path) -> None:
    """Store `root`'s lessons and quizzes as the last good version (unless stored already)."""
    files = _files(root)
    if sum(len(d) for d in files.values()) > MAX_BYTES:
        log.warning("content root %s is over %d bytes: its last good version is not stored",
                    root, MAX_BYTES)
        return
    digest, packed = _pack(files)
    with engine.begin() as conn:
        stored = conn.scalar(select(RenderedLesson.toc).where(
            RenderedLesson.key == LAST_GOOD_KEY))
        if stored == digest:
            return
        conn.execute(delete(RenderedLesson).where(RenderedLesson.key == LAST_GOOD_KEY))
        conn.execute(RenderedLesson.__table__.insert().values(
            key=LAST_GOOD_KEY, html=packed, toc=digest, created_at=utcnow()))


def unpack(engine: Engine, owner: object) -> Path | None:
    """The stored last good version as a folder of its own (removed with `owner`), or None
    when none is stored."""
    with engine.connect() as conn:
        packed = conn.scalar(select(RenderedLesson.html).where(
            RenderedLesson.key == LAST_GOOD_KEY))
    if packed is None:
        return None
    folder = Path(tempfile.mkdtemp(prefix="course-last-good-"))
    weakref.finalize(owner, shutil.rmtree, folder, True)
    for name, entry in json.loads(packed).items():
        path = (folder / name).resolve()
        if not path.is_relative_to(folder.resolve()):  # a stored name never leaves the folder
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if "text" in entry:
            path.write_bytes(entry["text"].encode("utf-8"))
        else:
            path.write_bytes(base64.b64decode(entry["base64"]))
    for name in ("lessons", "quizzes", "certificates"):
        (folder / name).mkdir(exist_ok=True)
    return folder
