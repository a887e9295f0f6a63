"""A learner's capstone in their data download, and gone (attachments too) when they close their
account; a reviewer who closes theirs leaves their reviews without their name."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import func, select

from course.capstone.models import CapstoneReview, CapstoneSubmission, CapstoneVersion
from course.capstone.services import CLOSED_REVIEWER
from course.db import session
from tests.capstone.conftest import PNG, mark, send, submission_ids
from tests.conftest import Site, csrf_token


def _close(client, site: Site) -> None:
    token = csrf_token(client, site.url("/privacy/"))
    response = client.post(site.url("/privacy/close"), data={"csrf_token": token,
                                                             "confirm": "CLOSE"})
    assert response.status_code == 302


def test_download_then_close(cap_site: Site) -> None:
    learner = cap_site.logged_in_client()
    send(learner, cap_site, "submit", "## My private plan",
         attachment=(io.BytesIO(PNG), "p.png"))
    trainer = cap_site.trainer_client()
    (sid,) = submission_ids(trainer, cap_site)
    mark(trainer, cap_site, sid, "return", ["Clear", "None"], overall="Measures, please")
    data = learner.get(cap_site.url("/privacy/my-data.json")).get_json()
    (capstone,) = data["capstones"]
    (version,) = capstone["versions"]
    assert version["text"] == "## My private plan" and version["attachment"]["type"] == "png"
    assert version["review"]["comment"] == "Measures, please"
    folder = Path(cap_site.app.config["COURSE_CAPSTONE_UPLOAD_FOLDER"])
    assert len(list(folder.iterdir())) == 1
    _close(learner, cap_site)
    with cap_site.app.app_context():
        for model in (CapstoneSubmission, CapstoneVersion, CapstoneReview):
            assert session().scalar(select(func.count()).select_from(model)) == 0
    assert list(folder.iterdir()) == []


def test_a_reviewer_who_leaves_is_no_longer_named(cap_site: Site) -> None:
    learner = cap_site.logged_in_client()
    send(learner, cap_site, "submit", "## Plan")
    trainer = cap_site.trainer_client()
    (sid,) = submission_ids(trainer, cap_site)
    mark(trainer, cap_site, sid, "return", ["Clear", "None"], overall="Measures, please")
    _close(trainer, cap_site)
    with cap_site.app.app_context():
        review = session().scalar(select(CapstoneReview))
        assert review.reviewer_name == CLOSED_REVIEWER and review.comment
