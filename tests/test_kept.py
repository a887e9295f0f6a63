"""KeptByObject: a value made once per object (by identity), never reused for another."""

from __future__ import annotations

from course.kept import KeptByObject


def test_a_value_is_made_once_per_object_and_extra_key() -> None:
    made: list[str] = []
    kept: KeptByObject[str] = KeptByObject(8)

    def make(text: str) -> str:
        made.append(text)
        return text.upper()

    first, twin = ["a"], ["a"]  # equal, not the same object
    assert kept.get(first, lambda: make("a")) == "A"
    assert kept.get(first, lambda: make("again")) == "A"
    assert kept.get(twin, lambda: make("twin")) == "TWIN"
    assert kept.get(first, lambda: make("other key"), extra="x") == "OTHER KEY"
    assert made == ["a", "twin", "other key"]


def test_a_full_store_starts_again_and_a_none_value_is_kept() -> None:
    kept: KeptByObject[int | None] = KeptByObject(2)
    objects = [object() for _ in range(3)]
    for n, obj in enumerate(objects):
        kept.get(obj, lambda n=n: n)
    assert kept.get(objects[0], lambda: 99) == 99  # dropped when the store filled up
    calls: list[int] = []
    assert kept.get(objects[1], lambda: calls.append(1)) is None
    assert kept.get(objects[1], lambda: calls.append(2)) is None
    assert calls == [1]
