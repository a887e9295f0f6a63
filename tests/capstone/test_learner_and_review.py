"""The capstone from the learner's and the reviewer's side, through HTTP, standalone and mounted:
brief and editor, preview, draft, submit; a trainer returns it with comments, the learner revises,
the trainer passes it; the pass rule is enforced on the server; signals and email follow."""

from __future__ import annotations

from sqlalchemy import select

from course import signals
from course.capstone.models import CapstoneReview, CapstoneSubmission, CapstoneVersion
from course.db import session
from tests.capstone.conftest import COURSE, mark, page_url, send, submission_ids
from tests.conftest import Site, csrf_token


def _rows(site: Site, model):
    with site.app.app_context():
        return session().scalars(select(model)).all()


def test_the_page_shows_the_brief_the_rubric_and_the_template(cap_site: Site) -> None:
    learner = cap_site.logged_in_client()
    html = learner.get(page_url(cap_site)).get_data(as_text=True)
    assert "A reviewed plan" in html and "<strong>your plan</strong>" in html
    # The brief's link to a lesson points at the lesson page, under any prefix.
    assert 'href="lessons/the-lesson"' in html
    assert "Easy to follow and to act on." in html and "## My plan" in html
    assert "at least 2 of 3 points in total" in html
    overview = learner.get(cap_site.url(f"/courses/{COURSE}/")).get_data(as_text=True)
    assert page_url(cap_site) in overview and "Required for the certificate" in overview
    assert cap_site.client().get(page_url(cap_site)).status_code in (302, 401)
    assert learner.get(cap_site.url("/courses/nope/capstone")).status_code == 404


def test_preview_renders_safely_and_saves_nothing(cap_site: Site) -> None:
    learner = cap_site.logged_in_client()
    body = ("## Week one\n\n- call *three* people\n\n<script>alert(1)</script>"
            "[x](javascript:alert(1))")
    response = send(learner, cap_site, "preview", body)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<em>three</em>" in html and "<script>alert(1)" not in html
    assert "javascript:alert" not in html.split('id="preview"')[1].split("</section>")[0]
    assert "Week one" in html.split("<textarea")[1]  # the text stays in the editor
    assert _rows(cap_site, CapstoneSubmission) == []


def test_draft_then_submit_then_locked(cap_site: Site) -> None:
    learner = cap_site.logged_in_client()
    assert send(learner, cap_site, "save", "## My plan\n\nFirst draft").status_code == 302
    page = learner.get(page_url(cap_site)).get_data(as_text=True)
    assert "Draft saved" in page and "First draft" in page
    assert send(learner, cap_site, "submit", "   ").status_code == 400  # nothing to submit
    untouched = send(learner, cap_site, "submit", "## My plan\r\n")  # the template as it came
    assert untouched.status_code == 400
    assert "still the starting template" in untouched.get_data(as_text=True)
    seen = []
    token = csrf_token(learner, page_url(cap_site))
    with signals.capstone_submitted.connected_to(lambda s, **k: seen.append(k), cap_site.app):
        response = send(learner, cap_site, "submit", "## My plan\n\nFinal words")
        assert response.status_code == 302
        refused = send(learner, cap_site, "submit", "changed after", token=token)
        assert refused.status_code == 302
    assert len(seen) == 1 and seen[0]["course"] == COURSE and seen[0]["version"] == 1
    page = learner.get(page_url(cap_site)).get_data(as_text=True)
    assert "Submitted: waiting for review" in page and "Final words" in page
    assert "<textarea" not in page and "changed after" not in page
    (version,) = _rows(cap_site, CapstoneVersion)
    assert version.state == "submitted" and version.rubric["min_total"] == 2
    (submission,) = _rows(cap_site, CapstoneSubmission)
    assert (submission.due_at - submission.submitted_at).days == 5


def test_return_revise_and_pass(cap_site: Site, mailbox) -> None:
    learner = cap_site.logged_in_client()
    trainer = cap_site.trainer_client()
    send(learner, cap_site, "submit", "## My plan\n\nVersion one")
    (sid,) = submission_ids(trainer, cap_site)
    review = trainer.get(cap_site.url(f"/capstone/reviews/{sid}")).get_data(as_text=True)
    assert "Version one" in review and "Return for revision" in review
    # Returning needs an overall comment; passing needs the pass rule.
    assert mark(trainer, cap_site, sid, "return", ["Clear", "None"]).status_code == 400
    refused = mark(trainer, cap_site, sid, "pass", ["Vivid", "None"], overall="Nice")
    assert refused.status_code == 400
    assert "pass rule" in refused.get_data(as_text=True)
    assert mark(trainer, cap_site, sid, "pass", ["Vivid"]).status_code == 400  # one missing
    reviewed = []
    with signals.capstone_reviewed.connected_to(lambda s, **k: reviewed.append(k),
                                                cap_site.app):
        response = mark(trainer, cap_site, sid, "return", ["Clear", "None"],
                        ["Readable", "Name your measures"], "Add the measures, please.")
        assert response.status_code == 302
        page = learner.get(page_url(cap_site)).get_data(as_text=True)
        assert "Returned for revision" in page and "Add the measures, please." in page
        assert "Name your measures" in page and "1 of 3 points" in page
        assert "Version one" in page.split("<textarea")[1]  # revise from the last version
        send(learner, cap_site, "submit", "## My plan\n\nVersion two, with measures")
        (sid2,) = submission_ids(trainer, cap_site)
        assert sid2 == sid
        token = csrf_token(trainer, cap_site.url(f"/capstone/reviews/{sid}"))
        response = mark(trainer, cap_site, sid, "pass", ["Vivid", "Some"], overall="Well done",
                        token=token)
        assert response.status_code == 302
    assert [k["decision"] for k in reviewed] == ["returned", "passed"]
    assert reviewed[1]["total"] == 3 and reviewed[1]["version"] == 2
    page = learner.get(page_url(cap_site)).get_data(as_text=True)
    assert "Passed" in page and "Well done" in page and "<textarea" not in page
    reviews = _rows(cap_site, CapstoneReview)
    assert [r.decision for r in reviews] == ["returned", "passed"]
    assert reviews[1].scores[0] == {"criterion": "Clarity", "level": "Vivid", "points": 2,
                                    "max_points": 2, "comment": ""}
    # A pass cannot be reviewed again.
    again = mark(trainer, cap_site, sid, "return", ["Clear", "Some"], overall="x", token=token)
    assert again.status_code == 200 and "Passed." in again.get_data(as_text=True)
    assert [r.decision for r in _rows(cap_site, CapstoneReview)] == ["returned", "passed"]
    if cap_site.mode == "standalone":
        subjects = [m["Subject"] for m in mailbox.wait_for(3)]
        assert any(s.startswith("Your capstone was returned") for s in subjects)
        assert any(s.startswith("Your capstone passed") for s in subjects)
        mail = next(m for m in mailbox.messages if m["Subject"].startswith("Your capstone was"))
        text = mail.get_payload(decode=True).decode()
        assert "Add the measures, please." in text
        base = cap_site.app.config["COURSE_BASE_URL"]  # the configured address, not Host
        assert f"{base}/courses/capstone-course/capstone" in text


def test_reviewers_only_and_never_their_own_work(cap_site: Site) -> None:
    learner = cap_site.logged_in_client()
    send(learner, cap_site, "submit", "Mine")
    assert learner.get(cap_site.url("/capstone/reviews")).status_code == 403
    (submission,) = _rows(cap_site, CapstoneSubmission)
    assert learner.get(cap_site.url(f"/capstone/reviews/{submission.id}")).status_code == 403
    trainer = cap_site.trainer_client()
    send(trainer, cap_site, "submit", "The trainer's own plan")
    own = [s for s in _rows(cap_site, CapstoneSubmission) if s.id != submission.id][0]
    assert submission_ids(trainer, cap_site) == [submission.id]  # not their own
    assert trainer.get(cap_site.url(f"/capstone/reviews/{own.id}")).status_code == 403
    token = csrf_token(trainer, cap_site.url(f"/capstone/reviews/{submission.id}"))
    assert mark(trainer, cap_site, own.id, "pass", ["Vivid", "Some"],
                token=token).status_code == 403
    assert trainer.get(cap_site.url("/capstone/reviews/99999")).status_code == 404
