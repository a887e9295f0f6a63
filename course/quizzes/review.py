"""What the review policy lets a learner see now (pure)."""

from __future__ import annotations

from ..content.quiz import REVIEW_ITEMS, Quiz


def review_visibility(quiz: Quiz, status: object) -> dict[str, bool]:
    """For each review item, whether it is shown, given the learner's quiz status."""
    finished = bool(getattr(status, "finished", []))
    passed = bool(getattr(status, "passed", False))
    left = getattr(status, "attempts_left", None)
    no_more = left == 0 or (passed and quiz.no_retake_after_pass)
    rules = {"never": False, "after_submit": finished, "after_pass": passed,
             "after_last_attempt": finished and no_more}
    return {item: rules[getattr(quiz.review, item)] for item in REVIEW_ITEMS}
