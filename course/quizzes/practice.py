"""Practice in lessons: ungraded answers, their feedback, and what a graded draw should avoid.

Each answer is stored (every retry a new row) for the learner's own review and never counts
toward a grade. Services take a session and plain values, flush, and never commit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ..content.practice import PracticeBlock, PracticeQuestion
from ..content.quiz import Quiz
from ..db import FastSelect
from ..kept import KeptByObject
from .grading import Marked, Shown, draw, mark
from .models import OPEN_SQL, PracticeAnswer, QuizAttempt
from .responses import form_values, parse

#: Option orders already worked out, by learner and question object: the lesson page asks for
#: every practice question's order on every view.
_SHOWN: KeptByObject[Shown] = KeptByObject(4096)


def shown_for(user_id: str, item: PracticeQuestion) -> Shown:
    """The question's option order for this learner: shuffled when allowed, the same each time
    (so the page and the answer it posts agree, and a reload does not reshuffle)."""
    def make() -> Shown:
        seed = int(hashlib.sha256(f"{user_id}\0{item.question.id}".encode()).hexdigest()[:12],
                   16)
        single = Quiz("", "", "", "", shuffle_questions=False, shuffle_options=item.shuffle,
                      questions=(item.question,))
        return draw(single, seed)[0]

    return _SHOWN.get(item, make, user_id)


def read_response(user_id: str, item: PracticeQuestion, form: Any) -> Any:
    """The learner's response in the form (in the question's own option order), or None."""
    answer = parse([(item.question, shown_for(user_id, item), None)], form)
    value = answer.get(item.question.id)
    return None if value in (None, []) else value


@dataclass
class QuestionState:
    """One practice question as a learner sees it: the order shown, their last answer, its
    feedback, and how many times they checked."""

    item: PracticeQuestion
    shown: Shown
    values: dict[str, Any] = field(default_factory=dict)
    marked: Marked | None = None
    tries: int = 0


def question_state(user_id: str, item: PracticeQuestion,
                   answers: Sequence[Answered]) -> QuestionState:
    """The state of `item` from this learner's answers to it (oldest first)."""
    shown = shown_for(user_id, item)
    state = QuestionState(item, shown, tries=len(answers))
    if answers:
        last = answers[-1].response
        state.values = form_values([(item.question, shown, None)], {item.question.id: last})
        state.marked = mark(item.question, last)
    return state


class Answered(Protocol):
    """What a practice answer's state needs of it (a stored answer, or a row of one)."""

    response: Any


_ANSWERS_TABLE = PracticeAnswer.__table__
# Built once, columns of the table (not the class): the lesson page runs it on every view.
_ANSWERS = FastSelect(select(_ANSWERS_TABLE.c.question, _ANSWERS_TABLE.c.response)
                      .where(_ANSWERS_TABLE.c.user_id == bindparam("user_id"),
                             _ANSWERS_TABLE.c.course == bindparam("course"),
                             _ANSWERS_TABLE.c.lesson == bindparam("lesson"))
                      .order_by(_ANSWERS_TABLE.c.id))


def answers_by_question(db: Session, user_id: str, course: str, lesson: str
                        ) -> dict[str, list[Answered]]:
    """This learner's practice answers in one lesson, oldest first, by question id."""
    found: dict[str, list[Answered]] = {}
    rows = _ANSWERS.rows({"user_id": user_id, "course": course, "lesson": lesson}, db)
    for row in rows:
        found.setdefault(row.question, []).append(row)
    return found


def block_states(user_id: str, block: PracticeBlock,
                 answers: Mapping[str, list[Answered]]) -> list[QuestionState]:
    """Every question of a block, as this learner sees it."""
    return [question_state(user_id, item, answers.get(item.question.id, []))
            for item in block.questions]


def record(db: Session, user_id: str, course: str, module: str, lesson: str,
           item: PracticeQuestion, response: Any) -> PracticeAnswer:
    """Store one practice answer (graded for feedback only; never part of a quiz grade)."""
    marked = mark(item.question, response)
    row = PracticeAnswer(user_id=user_id, course=course, module=module, lesson=lesson,
                         question=item.question.id, bank=item.bank, response=response,
                         correct=marked.right)
    db.add(row)
    db.flush()
    return row


def in_open_attempt(db: Session, user_id: str, course: str, module: str,
                    item: PracticeQuestion) -> bool:
    """True when a bank question is part of the learner's graded attempt still open: checking
    it in a lesson then would hand out the key during the quiz."""
    if not item.bank:
        return False
    rows = db.scalars(select(QuizAttempt.shown).where(
        QuizAttempt.user_id == user_id, QuizAttempt.course == course,
        QuizAttempt.module == module, QuizAttempt.state == OPEN_SQL))
    return any(q.get("id") == item.question.id for shown in rows for q in shown or [])


def history(db: Session, user_id: str, course: str) -> list[PracticeAnswer]:
    """Every practice answer of this learner in a course, oldest first."""
    return list(db.scalars(select(PracticeAnswer).where(
        PracticeAnswer.user_id == user_id, PracticeAnswer.course == course)
        .order_by(PracticeAnswer.id)))


# Built once, of the table's columns: every quiz start runs it.
_PRACTISED = (select(_ANSWERS_TABLE.c.question).distinct()
              .where(_ANSWERS_TABLE.c.user_id == bindparam("user_id"),
                     _ANSWERS_TABLE.c.course == bindparam("course"),
                     _ANSWERS_TABLE.c.module == bindparam("module"),
                     _ANSWERS_TABLE.c.bank.is_(True)))


#: How many of the attempts before a renewal round a new attempt avoids the questions of.
EARLIER_ATTEMPTS = 5


def avoid_in_draw(db: Session, user_id: str, quiz: Quiz,
                  earlier_than: datetime | None = None) -> frozenset[str]:
    """Question ids a new graded attempt should avoid where the bank allows: those practised
    in lessons, and, in a renewal round (which began at `earlier_than`), those shown in the
    attempts before it (the last EARLIER_ATTEMPTS finished ones started before the round: one
    query; more would only cover a bank already covered, and a long history would be read on
    every start)."""
    avoid = set(db.connection().execute(_PRACTISED, {
        "user_id": user_id, "course": quiz.course, "module": quiz.module}).scalars())
    if earlier_than is not None:  # the latest few, read walking back from the newest
        for shown in db.scalars(select(QuizAttempt.shown).where(
                QuizAttempt.user_id == user_id, QuizAttempt.course == quiz.course,
                QuizAttempt.module == quiz.module, QuizAttempt.started_at < earlier_than,
                QuizAttempt.state != OPEN_SQL).order_by(QuizAttempt.number.desc())
                .limit(EARLIER_ATTEMPTS)):
            avoid.update(item["id"] for item in shown or [])
    return frozenset(avoid)
