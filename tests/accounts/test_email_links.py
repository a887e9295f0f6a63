"""Links in emails come from the configured site address, never from the request's Host header
(a forged Host would otherwise put an attacker's domain in a password-reset link)."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from course import CoursePlugin
from course.config import DEFAULTS
from course.links import external_url, site_address
from tests.conftest import TEST_SECRET, Mailbox, login, register, submit
from tests.orgs.fixtures import PASSWORD, Orgs
from tests.test_plugin_contract import bare_host

EVIL = {"base_url": "http://evil.example"}
LINK = re.compile(r"(https?://\S+/(?:account/reset|invitations)/\S+)")


def mailed_link(mailbox: Mailbox) -> str:
    [message] = mailbox.wait_for(1)
    return LINK.search(message.get_payload(decode=True).decode()).group(1)


def test_with_default_settings_a_forged_host_is_refused_and_links_use_the_site(
        make_app, mailbox: Mailbox) -> None:
    app = make_app(raw={"TESTING": True, "SECRET_KEY": TEST_SECRET,
                        "COURSE_MAIL_SERVER": mailbox.host, "COURSE_MAIL_PORT": mailbox.port})
    assert app.config["COURSE_BASE_URL"] == DEFAULTS["COURSE_BASE_URL"]
    client = app.test_client()
    register(client, email="lea@example.com")
    client = app.test_client()
    assert client.get("/account/forgot", **EVIL).status_code == 400
    assert client.post("/account/forgot", data={"email": "lea@example.com"},
                       **EVIL).status_code == 400
    assert mailbox.messages == []
    response = submit(client, "/account/forgot", {"email": "lea@example.com"})
    assert response.status_code == 302
    assert mailed_link(mailbox).startswith("http://127.0.0.1:5000/account/reset/")


def test_a_trusted_but_other_host_still_gets_a_link_to_the_configured_site(
        make_app, mailbox: Mailbox) -> None:
    app = make_app(mailbox, COURSE_BASE_URL="https://learn.example/academy",
                   COURSE_TRUSTED_HOSTS="learn.example, evil.example, localhost")
    register(app.test_client(), email="lea@example.com")
    client = app.test_client()
    response = submit(client, "/account/forgot", {"email": "lea@example.com"}, **EVIL)
    assert response.status_code == 302
    link = mailed_link(mailbox)
    assert link.startswith("https://learn.example/academy/account/reset/"), link
    token_path = link.removeprefix("https://learn.example/academy")
    assert client.get(token_path).status_code == 200  # the token itself works


def test_an_invitation_sent_under_a_forged_host_links_to_the_configured_site(
        orgs: Orgs, mailbox: Mailbox) -> None:
    site = orgs.site
    site.app.config.update(COURSE_MAIL_SERVER=mailbox.host, COURSE_MAIL_PORT=mailbox.port,
                           COURSE_BASE_URL="https://learn.example",
                           TRUSTED_HOSTS=None)  # a host that does not check Host headers
    manager = site.client()  # a manager who reached the site under the forged name
    if site.mode == "host":
        manager.post("/login", data={"email": "boss@acme.example"}, **EVIL)
    else:
        assert login(manager, "boss@acme.example", PASSWORD, **EVIL).status_code == 302
    response = submit(manager, site.url("/org/members"), {"email": "new@acme.example"},
                      **EVIL)
    assert response.status_code == 302, response.get_data(as_text=True)
    link = mailed_link(mailbox)
    assert link.startswith(f"https://learn.example{site.prefix}/invitations/"), link
    assert "evil.example" not in link


def test_a_host_gives_the_address_by_server_name_or_by_a_hook() -> None:
    app, db = bare_host(SERVER_NAME="learn.example:8443", PREFERRED_URL_SCHEME="https",
                        APPLICATION_ROOT="/app")
    CoursePlugin(app, db=db, url_prefix="/training")
    hooked, hooked_db = bare_host(COURSE_BASE_URL="http://ignored.example")
    CoursePlugin(hooked, db=hooked_db, base_url=lambda: "https://tenant.example/")
    with app.app_context():
        assert site_address() == "https://learn.example:8443/app"
        assert external_url("course.lessons.catalogue") \
            == "https://learn.example:8443/app/training/catalogue"
    with hooked.app_context():
        assert external_url("course.lessons.catalogue") == \
            "https://tenant.example/course/catalogue"


@pytest.mark.parametrize("base, hosts", [
    ("http://127.0.0.1:5000", ["127.0.0.1", "localhost"]),
    ("https://learn.example", ["learn.example"]),
])
def test_the_standalone_site_answers_only_to_its_own_host(make_app, base: str,
                                                           hosts: list[str]) -> None:
    app: Flask = make_app(COURSE_BASE_URL=base)
    assert app.config["TRUSTED_HOSTS"] == hosts
    client = app.test_client()
    assert client.get("/catalogue", base_url="http://evil.example").status_code == 400
    assert client.get("/catalogue", base_url=f"http://{hosts[0]}").status_code == 200


def test_a_url_maker_builds_what_url_for_builds(course_site) -> None:  # noqa: ANN001
    """Row links built once and filled in equal `url_for`'s, standalone and mounted, and fall
    back to it when the stand-in number is part of the rest of the URL."""
    from course.links import url_for, url_maker

    with course_site.app.test_request_context(course_site.url("/org/")):
        person = url_maker("course.orgs.person", "member_id", course="social-divide")
        remove = url_maker("course.orgs.remove_member", "member_id")
        for n in (1, 42, 918273645, 10**12):
            assert person(n) == url_for("course.orgs.person", member_id=n,
                                        course="social-divide")
            assert remove(n) == url_for("course.orgs.remove_member", member_id=n)
        assert course_site.url("/org/members/7/remove") == remove(7)
        odd = url_maker("course.orgs.person", "member_id", course="918273645")
        assert odd(3) == url_for("course.orgs.person", member_id=3, course="918273645")
