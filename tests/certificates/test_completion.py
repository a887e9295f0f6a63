"""The completion page: what is left before the certificate, then the certificate (a miniature
of it, download, verify link, LinkedIn, copy link) and the factor profile; the issue flow leads
there. Standalone and mounted, on each database."""

from __future__ import annotations

import html as htmllib
import re
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from course.certificates.models import Certificate
from course.db import session
from tests.certificates.test_issue_verify import LAST, finish_last_lesson, nearly_done
from tests.conftest import Site, csrf_token

COMPLETE = "/courses/social-divide/complete"


def test_before_the_certificate_the_page_says_what_is_left(course_site: Site) -> None:
    site = course_site
    assert "login" in site.client().get(site.url(COMPLETE)).headers["Location"]
    client = site.logged_in_client()
    response = client.get(site.url(COMPLETE))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>Your way to the certificate</h1>" in page and "Still to do" in page
    assert "Social Graph &amp; Presence: pass the quiz" in page
    first = site.url("/courses/social-divide/lessons/what-the-social-divide-is")
    assert f'href="{first}"' in page and "Download the PDF" not in page
    assert client.get(site.url("/courses/no-such-course/complete")).status_code == 404


def test_finishing_the_course_leads_to_the_completion_page(course_site: Site) -> None:
    site = course_site
    client = site.logged_in_client()
    nearly_done(site, client)
    token = csrf_token(client, site.url(LAST))
    done = client.post(site.url(LAST + "/complete"), data={"csrf_token": token})
    assert done.headers["Location"] == site.url(COMPLETE)
    page = client.get(site.url(COMPLETE)).get_data(as_text=True)
    with site.app.app_context():
        certificate = session().scalar(select(Certificate))
        code, cid, name = certificate.code, certificate.id, certificate.name
    assert f"Well done, {name}" in page
    # The miniature carries what the PDF prints: the name, the course, the factor scores.
    mini = page.split('class="cert-mini"')[1].split("</figure>")[0]
    assert name in mini and "The Social Divide" in mini and "90%" in mini
    assert f'href="{site.url(f"/certificates/{cid}/certificate.pdf")}"' in page
    verify = re.search(r'<a href="([^"]+)" id="link-\d+"', page).group(1)
    assert verify.endswith(site.url(f"/verify/{code}"))
    assert 'data-copy="link-' in page  # the copy-link button (shown by certificates.js)
    linkedin = htmllib.unescape(re.search(r'href="(https://www.linkedin.com/[^"]+)"',
                                          page).group(1))
    query = parse_qs(urlsplit(linkedin).query)
    assert urlsplit(linkedin).path == "/profile/add"
    assert query["startTask"] == ["CERTIFICATION_NAME"]
    assert query["name"] == ["The Social Divide"] and query["certId"] == [code]
    assert query["certUrl"] == [verify] and query["organizationName"]
    assert query["issueYear"][0].isdigit() and query["issueMonth"][0].isdigit()
    assert "Your factor profile" in page
    # The course page and My learning link to it from now on; the flash did too, once.
    for where in ("/courses/social-divide/", "/my-learning"):
        assert f'href="{site.url(COMPLETE)}"' in client.get(site.url(where)).get_data(
            as_text=True), where


def test_the_flash_links_to_the_completion_page(course_site: Site) -> None:
    site = course_site
    client = site.logged_in_client()
    nearly_done(site, client)
    finish_last_lesson(site, client)
    page = client.get(site.url(COMPLETE)).get_data(as_text=True)
    assert "your certificate for The Social Divide is ready" in page
    assert f'<a href="{site.url(COMPLETE)}">See it and share it</a>' in page


def test_the_end_of_lesson_script_is_told_where_the_certificate_is(course_site: Site) -> None:
    site = course_site
    client = site.logged_in_client()
    nearly_done(site, client)
    token = csrf_token(client, site.url(LAST))
    done = client.post(site.url(LAST + "/complete"), data={"csrf_token": token},
                       headers={"X-Requested-With": "fetch"})
    assert done.get_json() == {"done": True, "newly": True, "next": site.url(COMPLETE)}
