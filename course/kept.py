"""Values worked out once from an object and kept with it (pure: no Flask, no database)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

V = TypeVar("V")


class KeptByObject(Generic[V]):
    """A bounded store of values made from objects, each kept with its object and found by
    the object's identity (and an optional extra key): the object is held, so its id is never
    reused while its entry is here, and a reloaded content tree's new objects never get an old
    value. A full store starts again."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._kept: dict[Hashable, tuple[Any, V]] = {}

    def get(self, obj: Any, make: Callable[[], V], extra: Hashable = None) -> V:
        """The value kept for `obj` (and `extra`), made by `make` the first time."""
        key = (id(obj), extra)
        kept = self._kept.get(key)
        if kept is not None and kept[0] is obj:
            return kept[1]
        value = make()
        if len(self._kept) >= self._size:
            self._kept.clear()
        self._kept[key] = (obj, value)
        return value
