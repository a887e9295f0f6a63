"""Question types, one module each (parse, write back, read the answer, mark, statistics; the
page part is `templates/course/quizzes/types/<name>.html`), and the set an app uses.

`default_types()` builds a fresh, changeable set of the built-in types (each plugin instance
holds its own on `CourseState.question_types`); `builtin_types()` is a shared, frozen one for
code that runs outside an app (the CLI's file conversions, pure tests).
"""

from __future__ import annotations

from functools import cache

from .base import Marked, QuestionType, Shown, field_name
from .matching import Matching
from .multiple import Multiple
from .numeric import Numeric
from .ordering import Ordering
from .registry import QuestionTypes, UnknownQuestionType
from .short import Short
from .single import Single
from .truefalse import TrueFalse

__all__ = ["Marked", "QuestionType", "QuestionTypes", "Shown", "UnknownQuestionType",
           "builtin_types", "default_types", "field_name"]


def default_types() -> QuestionTypes:
    """A new set of the built-in question types, for one plugin instance."""
    return QuestionTypes([Single(), Multiple(), TrueFalse(), Short(), Numeric(), Matching(),
                          Ordering()])


@cache
def builtin_types() -> QuestionTypes:
    """The built-in types, shared and frozen (register new types on an app's own set)."""
    return QuestionTypes(list(default_types()), frozen=True)
