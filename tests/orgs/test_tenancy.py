"""Organisations are tenants (security.md, "Authorisation"): a manager of Acme gets 404 for
anything of Globex, whatever ids they send, and sees none of its data. Standalone and mounted,
on each database."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from course.capstone.models import CapstoneSubmission, CapstoneVersion
from course.certificates.models import Certificate
from course.db import session, utcnow
from course.orgs import services
from course.orgs.models import AuditEvent, BulkJob, Invitation, Membership
from tests.conftest import Site
from tests.orgs.fixtures import Orgs

#: Every manager endpoint that takes an id, with how to call it.
WITH_IDS = {
    "course.orgs.revoke_invitation": ("POST", "/org/invitations/{invitation}/revoke"),
    "course.orgs.remove_member": ("POST", "/org/members/{member}/remove"),
    "course.orgs.resend_invitation": ("POST", "/org/invitations/{invitation}/resend"),
    "course.orgs.restore_member": ("POST", "/org/members/{member}/restore"),
    "course.orgs.remind": ("POST", "/org/members/{member}/remind"),
    "course.orgs.person": ("GET", "/org/members/{member}"),
    "course.orgs.bulk_job": ("GET", "/org/bulk/{job}"),
    "course.orgs.bulk_job_json": ("GET", "/org/bulk/{job}.json"),
    "course.orgs.certificate": ("GET", "/org/certificates/{certificate}"),
    "course.capstone.review": ("GET", "/capstone/reviews/{submission}"),
    "course.capstone.attachment": ("GET", "/capstone/attachments/{version}"),
}
#: Manager endpoints without ids: the organisation comes from the manager's membership only.
WITHOUT_IDS = {
    "course.orgs.dashboard": "/org/", "course.orgs.members": "/org/members",
    "course.orgs.import_roster": "/org/import", "course.orgs.export_csv":
    "/org/staff-progress.csv", "course.orgs.export_zip": "/org/certificates.zip",
    "course.orgs.audit_log": "/org/audit", "course.orgs.settings": "/org/settings",
    "course.orgs.bulk_start": "/org/bulk", "course.orgs.logo": "/org/logo",
    "course.capstone.queue": "/capstone/reviews", "course.orgs.summary_csv": "/org/summary.csv",
}

#: Manager endpoints without ids that only take a POST (and change nothing).
POSTS_WITHOUT_IDS = {"course.orgs.branding_preview": "/org/settings/preview"}


def globex_things(orgs: Orgs) -> dict[str, int]:
    """One of everything in Globex: a member with a certificate, an invitation, a job."""
    site = orgs.site
    user_id = orgs.add_member("globex", "gina@globex.example", "Gina Globex", team="R&D")
    with site.app.app_context():
        db = session()
        org = services.org_by_slug(db, "globex")
        invitation, _ = services.invite(db, org, "gary@globex.example", invited_by="x", days=3)
        job = BulkJob(org_id=org.id, kind="issue", course="social-divide", total=1)
        cert = Certificate(user_id=user_id, course="social-divide", version=1, code="G" * 27,
                           status="active", name="Gina Globex", course_title="The Social Divide",
                           issued_at=utcnow(), snapshot={}, template="default", pdf=b"%PDF",
                           sha256="0" * 64)
        submission = CapstoneSubmission(user_id=user_id, course="social-divide",
                                        status="submitted", learner_name="Gina Globex",
                                        submitted_at=utcnow())
        db.add_all([job, cert, submission])
        db.flush()
        version = CapstoneVersion(submission_id=submission.id, number=1, state="submitted",
                                  body="Gina's plan", html="<p>Gina's plan</p>",
                                  attachment="stored-name", attachment_type="pdf",
                                  attachment_size=10, rubric={"criteria": []},
                                  submitted_at=utcnow())
        db.add(version)
        db.commit()
        member = db.scalar(select(Membership.id).where(Membership.user_id == user_id))
        return {"invitation": invitation.id, "member": member, "job": job.id,
                "certificate": cert.id, "submission": submission.id, "version": version.id}


def test_the_lists_cover_every_manager_endpoint(course_site: Site) -> None:
    rules = {r.endpoint for r in course_site.app.url_map.iter_rules()
             if r.endpoint.startswith("course.orgs.") and "/org/" in r.rule
             or r.endpoint.startswith("course.capstone.") and "/capstone/" in r.rule}
    assert rules == set(WITH_IDS) | set(WITHOUT_IDS) | set(POSTS_WITHOUT_IDS)


def test_another_organisations_ids_give_404(orgs: Orgs) -> None:
    site = orgs.site
    ids = globex_things(orgs)
    acme = orgs.manager("acme")
    token = _token(acme, site)
    for endpoint, (method, path) in WITH_IDS.items():
        url = site.url(path.format(**ids))
        response = (acme.post(url, data={"csrf_token": token, "reason": "x", "action": "revoke"})
                    if method == "POST" else acme.get(url))
        assert response.status_code == 404, (endpoint, response.status_code)
        if endpoint == "course.orgs.certificate":  # a POST is refused the same way
            assert acme.post(url, data={"csrf_token": token, "action": "revoke",
                                        "reason": "x"}).status_code == 404
    with site.app.app_context():  # nothing of Globex changed
        db = session()
        assert db.get(Invitation, ids["invitation"]).revoked_at is None
        assert db.get(Membership, ids["member"]) is not None
        assert db.get(Certificate, ids["certificate"]).status == "active"
    # Globex's own manager reaches the same objects.
    globex = orgs.manager("globex")
    assert globex.get(site.url(f"/org/certificates/{ids['certificate']}")).status_code == 200
    assert globex.get(site.url(f"/org/bulk/{ids['job']}.json")).status_code == 200
    assert globex.get(site.url(f"/capstone/reviews/{ids['submission']}")).status_code == 200


def _token(client, site: Site) -> str:
    from tests.conftest import csrf_token

    return csrf_token(client, site.url("/org/members"))


def test_pages_without_ids_show_only_the_managers_organisation(orgs: Orgs) -> None:
    site = orgs.site
    globex_things(orgs)
    orgs.add_member("acme", "ada@acme.example", "Ada Acme", team="Sales")
    acme = orgs.manager("acme")
    for endpoint, path in WITHOUT_IDS.items():
        # Ids and organisation names sent by the client are ignored.
        response = acme.get(site.url(path) + "?org=globex&org_id=2&team=R%26D")
        body = response.get_data()
        assert b"Gina" not in body and b"globex.example" not in body, endpoint
        assert response.status_code in (200, 404), endpoint  # 404: Acme has no logo
    dashboard = acme.get(site.url("/org/")).get_data(as_text=True)
    assert "Ada Acme" in dashboard and "Acme Ltd" in dashboard
    with site.app.app_context():
        globex_id = services.org_by_slug(session(), "globex").id
        events = session().scalars(select(AuditEvent.action).where(
            AuditEvent.org_id == globex_id)).all()
        assert "exported-progress" not in events and "exported-certificates" not in events


def test_learners_and_other_roles_are_not_managers(orgs: Orgs) -> None:
    site = orgs.site
    orgs.add_member("acme", "ada@acme.example", "Ada Acme")
    member = orgs.people.client("ada@acme.example")
    outsider = orgs.people.client("nobody@example.com")
    for client in (member, outsider):
        for path in WITHOUT_IDS.values():
            assert client.get(site.url(path)).status_code == 403, path
        for path in POSTS_WITHOUT_IDS.values():
            assert client.post(site.url(path)).status_code == 403, path
    anonymous = site.client().get(site.url("/org/"))
    assert anonymous.status_code in (302, 401)


def test_scores_of_other_organisations_do_not_count(orgs: Orgs) -> None:
    site = orgs.site
    ada = orgs.add_member("acme", "ada@acme.example", "Ada Acme")
    gina = orgs.add_member("globex", "gina@globex.example", "Gina Globex")
    from course.quizzes.models import QuizAttempt

    with site.app.app_context():
        for user_id, percent in ((ada, "80"), (gina, "20")):
            session().add(QuizAttempt(user_id=user_id, course="social-divide",
                                      module="organisation", number=1, quiz_version="v",
                                      state="finished", shown=[], responses={}, pass_mark=80,
                                      percent=Decimal(percent), passed=percent == "80",
                                      finished_at=utcnow()))
        session().commit()
    page = orgs.manager("acme").get(site.url("/org/")).get_data(as_text=True)
    table = page.split("Average of members")[1].split("</table>")[0]
    assert "<th scope=\"row\">Organisation</th><td>80%</td><td>1</td>" in table
