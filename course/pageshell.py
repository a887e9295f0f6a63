"""Page shells: a page rendered once with markers where its per-request parts go, then filled
for each request with plain string joins.

A template rendered with `course_shell` in its context writes `{{ course_shell("name") }}` where
a per-request part belongs (the learner's name, their progress marks, a CSRF token); the
rendered text is split at those markers into a `Shell`. `Shell.fill` joins the fixed text with
the parts of this request. A shell holds nothing of any one learner: it is keyed by what the
fixed text depends on and kept with the content version it was rendered from, so a new version
of the content drops it.

The markers carry a random per-process tag, so no content, configuration or learner text can
forge one.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Hashable, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from markupsafe import Markup

from .ctx import this_g
from .loaded import content
from .state import get_state

_TAG = "\x00" + secrets.token_hex(8) + ":"
_SPLIT = re.compile(re.escape(_TAG) + "([^\x00]*)\x00")
#: Stands for the request's CSRF token in a kept part; replaced on every use.
TOKEN = _TAG + "csrf\x00"
TOKEN_BYTES = TOKEN.encode()
#: Parts kept per content version, per kind: enough for every lesson under a few prefixes and
#: roles, and for the account links of the learners active in one process.
MAX_SHELLS = 2048
OWN_TEMPLATES = Path(__file__).resolve().parent / "templates"


def marker(name: str) -> Markup:
    """The marker a shell template writes for the per-request part `name`."""
    return Markup(f"{_TAG}{name}\x00")


@dataclass(frozen=True)
class Shell:
    """A rendered page split at its markers: fixed text, name, fixed text, name, ..., text."""

    pieces: tuple[str, ...]
    #: The fixed text as UTF-8, encoded once: a page with one non-ASCII letter in it is a
    #: wide string, and encoding 18 KB of it cost 19 µs on every view.
    encoded: tuple[bytes, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "encoded", tuple(
            piece.encode() if i % 2 == 0 else b"" for i, piece in enumerate(self.pieces)))

    @classmethod
    def split(cls, rendered: str) -> Shell:
        return cls(tuple(_SPLIT.split(rendered)))

    @property
    def names(self) -> tuple[str, ...]:
        """The per-request parts this shell needs, in page order."""
        return self.pieces[1::2]

    def fill(self, parts: Mapping[str, str]) -> str:
        """The page with every marker replaced by its part (a missing part is a bug: KeyError)."""
        pieces = list(self.pieces)
        pieces[1::2] = [parts[name] for name in self.pieces[1::2]]
        return "".join(pieces)

    def fill_bytes(self, parts: Mapping[str, str | bytes]) -> bytes:
        """`fill`, as the UTF-8 bytes of the page: only the parts given as text are encoded
        (a part kept as bytes is used as it is)."""
        pieces = list(self.encoded)
        pieces[1::2] = [part if isinstance(part := parts[name], bytes) else part.encode()
                        for name in self.pieces[1::2]]
        return b"".join(pieces)


def kept(store: MutableMapping[Hashable, Any], key: tuple[Hashable, ...],
         make: Callable[[], Any]) -> Any:
    """`store[key]`, made on first use. Each kind of part (the key's first item: "lesson",
    "account_nav", "practice", ...) has its own bound, so parts kept per user never push the
    lesson shells out; a full kind starts again (it only holds what can be made again)."""
    bucket = store.get(key[0])
    if bucket is None:
        bucket = store[key[0]] = {}
    value = bucket.get(key)
    if value is None:
        value = make()
        if len(bucket) >= MAX_SHELLS:
            bucket.clear()
        bucket[key] = value
    return value


def cached(store: MutableMapping[Hashable, Any], key: tuple[Hashable, ...],
           render: Callable[[], str]) -> Shell:
    """The shell for `key` from `store`, rendering (and keeping) it on first use."""
    return kept(store, key, lambda: Shell.split(render()))


#: The plugin's templates a shell or a kept part is made from. A host may override any of them
#: (not only the layout) with one that shows per-user or per-request text (a name, the session,
#: a CSP nonce) anywhere in it: then nothing is kept.
SHELL_TEMPLATES = ("course/layout.html", "course/_assets.html", "course/_flashes.html",
                   "course/lessons/lesson.html", "course/quizzes/_practice.html")


def own_templates(app: Flask) -> bool:
    """True when every template of SHELL_TEMPLATES is the plugin's own (not a host's copy)."""
    for name in SHELL_TEMPLATES:
        try:
            _, filename, _ = app.jinja_env.loader.get_source(app.jinja_env, name)
        except Exception:  # noqa: BLE001 - no loader, or a loader that cannot say: not ours
            return False
        if filename is None or Path(filename).resolve() != OWN_TEMPLATES / name:
            return False
    return True


def store() -> MutableMapping[Hashable, Any]:
    """Where this request's page keeps its shells and parts: the content's store, or a fresh
    one (so nothing outlives the request) when a template they are made from is the host's."""
    here = this_g()
    kept = here.get("_course_shell_store")
    if kept is None:
        state = get_state()
        if state.own_templates is None:
            state.own_templates = own_templates(current_app)
        kept = content().shells if state.own_templates else {}
        here._course_shell_store = kept  # asked several times by one page
    return kept
