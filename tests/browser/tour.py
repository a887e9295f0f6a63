"""A site with something on every page: a learner part-way through a second look at the course
(every lesson read, the four factor quizzes passed, a self-assessment, a certificate), in an
organisation with a manager, a trainer and an administrator. Used by the reflow and axe test and by
scripts/screenshots, so both walk the same pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from flask import Flask

from course.db import session, utcnow

PASSWORD = "correct horse battery"
COURSE = "social-divide"
SCORES = {"social-graph-presence": 90, "organisation": 80, "role-model": 100, "education": 85}
BASELINE = {"social-graph-presence": 45, "organisation": 35, "role-model": 55, "education": 40}
NOW = {"social-graph-presence": 70, "organisation": 50, "role-model": 65, "education": 75}
LEARNER = ("rhea.reader@acme-industries.example", "Rhea Reader")
MANAGER = ("morgan.manager@acme-industries.example", "Morgan Manager")
TRAINER = ("tia.trainer@example.com", "Tia Trainer")
ADMIN = ("ada.admin@example.com", "Ada Admin")


@dataclass(frozen=True)
class Tour:
    """Who is who on the seeded site, and where their things are."""

    learner_id: str
    certificate_id: int
    certificate_code: str
    org_id: int


def _user(app: Flask, email: str, name: str, role: str = "learner") -> str:
    from course.accounts.services import PasswordPolicy, create_user

    user = create_user(session(), PasswordPolicy.from_config(app.config), email=email,
                       password=PASSWORD, display_name=name, role=role)
    session().flush()
    return user.course_user_id


def _progress(app: Flask, user_id: str) -> None:
    from course.lessons.services import complete_lesson, touch_learner
    from course.quizzes.models import QuizAttempt, SelfAssessmentScore

    loaded = app.extensions["course"].content()
    touch_learner(session(), user_id, LEARNER[1], LEARNER[0])  # as a visit does: gradebook rows
    for lesson in loaded.course(COURSE).lessons:
        complete_lesson(session(), user_id, lesson)
    for (course, module), quiz in loaded.quizzes.items():
        if course != COURSE:
            continue
        session().add(QuizAttempt(
            user_id=user_id, course=COURSE, module=module, number=1, quiz_version=quiz.version,
            state="finished", shown=[], responses={}, pass_mark=quiz.pass_mark,
            percent=Decimal(SCORES.get(module, 85)), passed=True,
            started_at=utcnow() - timedelta(days=3, minutes=20),
            finished_at=utcnow() - timedelta(days=3)))  # past any cooldown
        for stage, figure, rated in (("start", BASELINE, 3), ("end", NOW, 4)):
            session().add(SelfAssessmentScore(
                user_id=user_id, course=COURSE, module=module, stage=stage,
                percent=Decimal(figure.get(module, 50)), rated=rated, statements=4))


def _organisation(learner_id: str, manager_id: str) -> int:
    from course.lessons.services import touch_learner
    from course.orgs import services
    from course.orgs.models import MANAGER as MANAGER_ROLE

    org = services.create_org(session(), "acme", "Acme Industries")
    org.signatory = "Morgan Manager, Head of Learning"
    org.primary_colour = "#1f4e79"
    services.add_member(session(), org, user_id=manager_id, name=MANAGER[1], email=MANAGER[0],
                        role=MANAGER_ROLE)
    services.add_member(session(), org, user_id=learner_id, name=LEARNER[1], email=LEARNER[0],
                        team="Customer Success and Partner Enablement")
    for number, (name, team) in enumerate([("Sam Sales", "Sales"), ("Ana Support", "Support"),
                                           ("Lee Leader", None)], start=1):
        services.add_member(session(), org, user_id=f"tour-member-{number}", name=name,
                            email=f"{name.split()[0].lower()}@acme-industries.example", team=team)
        touch_learner(session(), f"tour-member-{number}", name,
                      f"{name.split()[0].lower()}@acme-industries.example")
    session().flush()
    return org.id


PLAN = """## My 90-day plan

**Days 1-30: presence.** Rewrite my profile around the three problems our customers bring to
Customer Success; follow and comment weekly on 20 people in two customer communities.

**Days 31-60: contribution.** One short post a week from a real support case (with the
customer's permission), and two answers a week in the partner forum.

**Days 61-90: the team.** Run a 30-minute session for my team on what worked, with the
numbers: replies, introductions, and the conversations that reached a customer's decision."""


def _capstone(app: Flask, learner_id: str, trainer_id: str) -> None:
    """The learner's capstone plan, handed in and passed by the trainer at every criterion's
    top level, when the course has a capstone (the shipped one requires it)."""
    from course.capstone import operations, services
    from course.capstone.models import PASSED

    info = app.extensions["course"].content().course(COURSE)
    if info.capstone is None:
        return
    db = session()
    draft, _ = services.save_draft(db, user_id=learner_id, course=COURSE, name=LEARNER[1],
                                   email=LEARNER[0], body=PLAN,
                                   html=operations.render_response(PLAN))
    submission = services.submission_for(db, learner_id, COURSE)
    rubric = info.capstone.rubric
    assert services.submit(db, submission, draft, rubric, info.capstone.review_days)
    marking = services.Marking({c.name: c.levels[-1].name for c in rubric.criteria}, {},
                               "A plan with dates, numbers and a way to share what works.")
    services.record_review(db, submission, draft, reviewer_id=trainer_id,
                           reviewer_name=TRAINER[1], reviewed_for=app.config[
                               "COURSE_SITE_NAME"], decision=PASSED, marking=marking)


def seed(app: Flask) -> Tour:
    """Fill an empty standalone site (tables made, sample content) with the tour's people."""
    from course.certificates.views import Holder, issue_and_announce

    app.config["COURSE_CERTIFICATE_EMAIL"] = False
    with app.app_context():
        app.extensions["course"].content()  # renders the lessons first, outside our writes
        learner = _user(app, *LEARNER)
        manager = _user(app, *MANAGER)
        trainer = _user(app, *TRAINER, role="trainer")
        _user(app, *ADMIN, role="admin")
        org_id = _organisation(learner, manager)
        _progress(app, learner)
        _capstone(app, learner, trainer)
        session().commit()
    with app.test_request_context():
        certificate = issue_and_announce(COURSE, Holder(learner, LEARNER[1], None))
        assert certificate is not None, "the tour's learner should be certified"
        tour = Tour(learner, certificate.id, certificate.code, org_id)
        session().remove()
    return tour


def log_in(page, base: str, email: str | None) -> None:
    """Log in through the standalone form (Playwright page); None logs out."""
    page.context.clear_cookies()
    if email is None:
        return
    page.goto(base + "/account/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/account/login" not in url)


def start_quiz(page, base: str, module: str = "organisation") -> str:
    """Start (another) attempt at a factor quiz: the taking page's URL."""
    page.goto(f"{base}/courses/{COURSE}/quizzes/{module}/")
    page.get_by_role("button", name=re.compile("Start the quiz|Try again|Continue your attempt")
                     ).click()
    page.wait_for_url(re.compile(r"/attempts/\d+$"))
    return page.url


def submit_quiz(page, take_url: str) -> str:
    """Answer the first question of the attempt and submit it: the result page's URL."""
    page.goto(take_url)
    page.locator("fieldset.question input[type=radio]").first.check()
    page.get_by_role("button", name="Submit answers").click()
    if "/result" not in page.url:  # the confirmation listing unanswered questions
        page.get_by_role("button", name="Submit anyway").click()
    page.wait_for_url(re.compile(r"/result$"))
    return page.url


def attempt_of(result_url: str) -> str:
    """The attempt's id in a quiz result page's URL (.../attempts/<id>/result)."""
    return re.search(r"/attempts/(\d+)/result$", result_url).group(1)


#: (name, who, path); {take}, {result}, {attempt}, {code}, {cert}, {learner}, {org}. Pages with
#: {result} or {attempt} exist once the quiz started with {take} is submitted.
PAGES: list[tuple[str, str, str]] = [
    ("catalogue", "learner", "/catalogue"),
    ("course-overview", "learner", f"/courses/{COURSE}/"),
    ("lesson", "learner", f"/courses/{COURSE}/lessons/building-a-relevant-network"),
    ("templates", "learner", f"/courses/{COURSE}/templates/"),
    ("quiz-start", "learner", f"/courses/{COURSE}/quizzes/organisation/"),
    ("quiz-taking", "learner", "{take}"),
    ("quiz-result", "learner", "{result}"),
    ("my-learning", "learner", "/my-learning"),
    ("self-assessment", "learner", f"/courses/{COURSE}/self-assessment/"),
    ("my-certificates", "learner", "/certificates/"),
    ("account", "learner", "/account/"),
    ("change-password", "learner", "/account/password"),
    ("your-data", "learner", "/privacy/"),
    ("verify", "anonymous", "/verify/{code}"),
    ("verify-upload", "anonymous", "/verify/check"),
    ("log-in", "anonymous", "/account/login"),
    ("register", "anonymous", "/account/register"),
    ("org-dashboard", "manager", "/org/"),
    ("org-members", "manager", "/org/members"),
    ("org-certificate", "manager", "/org/certificates/{cert}"),
    ("quiz-statistics", "trainer", f"/courses/{COURSE}/quizzes/organisation/statistics"),
    ("completion", "learner", f"/courses/{COURSE}/complete"),
    ("completion-before", "manager", f"/courses/{COURSE}/complete"),  # not certified yet
    ("change-name", "learner", "/account/name"),
    ("change-email", "learner", "/account/email"),
    # the administrator sees every organisation's learners (a trainer only theirs or none)
    ("gradebook", "admin", f"/trainer/courses/{COURSE}/gradebook/"),
    ("gradebook-learner", "admin", f"/trainer/courses/{COURSE}/gradebook/learners/{{learner}}"),
    ("gradebook-attempt", "admin", f"/trainer/courses/{COURSE}/gradebook/attempts/{{attempt}}"),
    ("preview-lesson", "trainer",
     f"/trainer/preview/courses/{COURSE}/lessons/building-a-relevant-network"),
    ("preview-quiz", "trainer", f"/trainer/preview/courses/{COURSE}/quizzes/organisation"),
    ("admin-organisation", "admin", "/orgs/admin/{org}"),
    ("admin-users", "admin", "/account/users"),
]
EMAILS = {"learner": LEARNER[0], "manager": MANAGER[0], "trainer": TRAINER[0], "admin": ADMIN[0],
          "anonymous": None}


def after_submit(path: str) -> bool:
    """Whether the page exists only once the tour's quiz attempt is submitted."""
    return "{result}" in path or "{attempt}" in path
