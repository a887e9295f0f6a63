"""The question types one plugin instance knows (pure). Each app's `CourseState` holds its own
`QuestionTypes`; nothing here is a module-global registry that plugins mutate."""

from __future__ import annotations

from collections.abc import Iterator

from .base import QuestionType


class UnknownQuestionType(KeyError):
    """A question names a type this plugin instance does not know."""


class QuestionTypes:
    """Question types by name; `register` adds one (a frozen set of types refuses)."""

    def __init__(self, types: tuple[QuestionType, ...] | list[QuestionType] = (),
                 frozen: bool = False) -> None:
        self._types: dict[str, QuestionType] = {}
        for qtype in types:
            self.register(qtype)
        self._frozen = frozen

    def register(self, qtype: QuestionType) -> None:
        """Add a type; its name must be new."""
        if getattr(self, "_frozen", False):
            raise TypeError("these question types are shared and cannot change; register on "
                            "the plugin's own (state.question_types)")
        if not qtype.name or qtype.name in self._types:
            raise ValueError(f"question type {qtype.name!r} is empty or already registered")
        self._types[qtype.name] = qtype

    def get(self, name: str) -> QuestionType:
        """The type called `name`; UnknownQuestionType if there is none."""
        try:
            return self._types[name]
        except KeyError:
            raise UnknownQuestionType(name) from None

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def __iter__(self) -> Iterator[QuestionType]:
        return iter(self._types.values())

    @property
    def names(self) -> tuple[str, ...]:
        """Every type's name, in registration order."""
        return tuple(self._types)

    def yaml_keys(self) -> frozenset[str]:
        """Every type-specific question key."""
        return frozenset().union(*(t.yaml_keys for t in self))

    def for_gift(self, answers: str) -> QuestionType | None:
        """The type whose GIFT syntax an answer block is (by rank), or None."""
        ranked = sorted((t for t in self if t.gift_rank is not None),
                        key=lambda t: t.gift_rank or 0)
        return next((t for t in ranked if t.claims_gift(answers)), None)

    def copy(self) -> QuestionTypes:
        """A new, changeable set holding the same types."""
        return QuestionTypes(list(self))
