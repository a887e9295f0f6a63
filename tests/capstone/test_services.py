"""Capstone services against the database: a double save and a double review do one thing."""

from __future__ import annotations

import pytest
from flask import Flask

from course.capstone import services
from course.capstone.models import RETURNED
from course.content.capstone import Criterion, Level, Rubric
from course.db import session

RUBRIC = Rubric((Criterion("A", (Level("low", "d", 0), Level("top", "d", 2))),), min_total=2)


def _submitted(db):
    draft, _ = services.save_draft(db, user_id="u1", course="c", name="U", email=None,
                                   body="b", html="<p>b</p>")
    submission = services.submission_for(db, "u1", "c")
    assert services.submit(db, submission, draft, RUBRIC, 3)
    assert not services.submit(db, submission, draft, RUBRIC, 3)  # a double submit
    return submission, draft


def test_parallel_saves_after_a_return_share_one_new_version(standalone_app: Flask) -> None:
    with standalone_app.app_context():
        db = session()
        submission, version = _submitted(db)
        marking = services.Marking({"A": "low"}, {}, "again")
        services.record_review(db, submission, version, reviewer_id="r", reviewer_name="R",
                               reviewed_for="Site", decision=RETURNED, marking=marking)
        stale = services.versions(db, submission)
        first = services._new_draft(db, submission, stale)
        second = services._new_draft(db, submission, stale)  # as a parallel request would
        assert first.id == second.id and second.number == 2
        db.commit()


def test_a_version_is_reviewed_once(standalone_app: Flask) -> None:
    with standalone_app.app_context():
        db = session()
        submission, version = _submitted(db)
        marking = services.Marking({"A": "top"}, {}, "")
        services.record_review(db, submission, version, reviewer_id="r", reviewer_name="R",
                               reviewed_for="Site", decision="passed", marking=marking)
        with pytest.raises(services.CapstoneError, match="reviewed already"):
            services.record_review(db, submission, version, reviewer_id="r2",
                                   reviewer_name="R2", reviewed_for="Site", decision=RETURNED,
                                   marking=marking)
        with pytest.raises(services.CapstoneError, match="own work"):
            services.record_review(db, submission, version, reviewer_id="u1",
                                   reviewer_name="U", reviewed_for="Site", decision="passed",
                                   marking=marking)
        assert services.passed_review(db, "u1", "c").reviewer_id == "r"
