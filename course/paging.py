"""Keyset paging: a page read from an index after (or before) the row at the previous page's
edge, instead of skipping every row in front of it, so page 2,000 costs what page 2 does. The
gradebook and the manager's dashboard use it; their Next and Previous links carry the edge
row's id and a keyed fingerprint of its name (`edge_mark`), never the name itself, which would
end up in logs. A page is sought from the edge only while the row still sorts where it did: a
member renamed since would otherwise move the edge, and the rows between its old and new place
would be on no page."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from flask import current_app
from sqlalchemy import Select, tuple_


def edge_mark(name: str | None) -> str:
    """A short fingerprint of an edge row's sort name, keyed with the app's secret (a list of
    common names cannot be tried against it), for the pager's links."""
    secret = current_app.secret_key
    key = hashlib.sha256(secret if isinstance(secret, bytes) else str(secret).encode()).digest()
    return hashlib.blake2b((name or "").encode(), key=key, digest_size=8).hexdigest()


def still_there(name: str | None, mark: str | None) -> bool:
    """Whether the edge row's sort name `name` is the one its link's `mark` was made from."""
    return mark is not None and name is not None and edge_mark(name) == mark


def seek(run: Callable[[Select[Any]], Any], query: Select[Any], columns: Sequence[Any],
         edge: tuple[Any, ...], *, forward: bool, per_page: int) -> tuple[list[Any], bool] | None:
    """The page of `query` just after (`forward`) or just before `edge`, the values of
    `columns` (the sort order, unique, with an index) at the edge row, read by `run`
    (`db.execute` or `db.scalars`): its rows in order, and whether more rows lie beyond them
    in that direction. None when the seek finds no page (nothing after the edge any more, or
    less than a page before it, as when rows went away meanwhile): the caller reads the page
    by its number instead (the first page, going back)."""
    key = tuple_(*columns)
    if forward:
        found = list(run(query.order_by(None).where(key > tuple_(*edge))
                         .order_by(*columns).limit(per_page + 1)))
        return (found[:per_page], len(found) > per_page) if found else None
    found = list(run(query.order_by(None).where(key < tuple_(*edge))
                     .order_by(*(c.desc() for c in columns)).limit(per_page + 1)))
    if len(found) < per_page:
        return None
    return found[:per_page][::-1], len(found) > per_page
