"""Organisation fixtures: two organisations (Acme and Globex) with a manager each, on the
standalone site and mounted in the host app, and people who log in as themselves."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from flask.testing import FlaskClient

from course.db import session
from course.orgs import services
from course.orgs.models import MANAGER
from tests.conftest import Site, login

PASSWORD = "correct horse battery"


@dataclass
class People:
    """Log in as anyone: standalone accounts are created on first use, host staff likewise."""

    site: Site
    ids: dict[str, str] = field(default_factory=dict)

    def user_id(self, email: str, name: str | None = None) -> str:
        if email not in self.ids:
            name = name or email.split("@")[0].title()
            with self.site.app.app_context():
                if self.site.mode == "host":
                    from tests.hostapp import Staff, db

                    staff = Staff(email=email, name=name)
                    db.session.add(staff)
                    db.session.commit()
                    self.ids[email] = str(staff.id)
                else:
                    from course.accounts.services import PasswordPolicy, create_user

                    user = create_user(session(), PasswordPolicy.from_config(
                        self.site.app.config), email=email, password=PASSWORD,
                        display_name=name)
                    session().commit()
                    self.ids[email] = user.course_user_id
        return self.ids[email]

    def client(self, email: str, name: str | None = None) -> FlaskClient:
        self.user_id(email, name)
        client = self.site.client()
        if self.site.mode == "host":
            client.post("/login", data={"email": email})
        else:
            assert login(client, email, PASSWORD).status_code == 302
        return client


@dataclass
class Orgs:
    site: Site
    people: People
    acme_id: int
    globex_id: int

    def manager(self, org: str = "acme") -> FlaskClient:
        return self.people.client(f"boss@{org}.example", f"{org.title()} Boss")

    def add_member(self, org: str, email: str, name: str, team: str | None = None) -> str:
        user_id = self.people.user_id(email, name)  # before this context's writes
        with self.site.app.app_context():
            target = services.org_by_slug(session(), org)
            services.add_member(session(), target, user_id=user_id, name=name, email=email,
                                team=team)
            session().commit()
        return user_id


@pytest.fixture
def orgs(course_site: Site) -> Orgs:
    course_site.app.config.update(COURSE_RATELIMIT_LOGIN="1000/minute")
    people = People(course_site)
    bosses = {slug: people.user_id(f"boss@{slug}.example", f"{slug.title()} Boss")
              for slug in ("acme", "globex")}
    with course_site.app.app_context():
        made = {}
        for slug, name in (("acme", "Acme Ltd"), ("globex", "Globex plc")):
            org = services.create_org(session(), slug, name)
            boss = bosses[slug]
            services.add_member(session(), org, user_id=boss, name=f"{slug.title()} Boss",
                                email=f"boss@{slug}.example", role=MANAGER)
            made[slug] = org
        session().commit()
        ids = {slug: org.id for slug, org in made.items()}
    return Orgs(course_site, people, ids["acme"], ids["globex"])
