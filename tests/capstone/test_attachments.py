"""Capstone attachments (security.md, "Uploads"): PDF, DOCX, PNG or JPEG by their bytes, capped
in size, stored under a random name outside any static folder, and served as a download with a
generic name only to the learner and the people who review them."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from sqlalchemy import select

from course.capstone.models import CapstoneSubmission, CapstoneVersion
from course.db import session
from tests.capstone.conftest import PNG, cap_orgs, mark, send  # noqa: F401
from tests.conftest import Site


def _folder(site: Site) -> Path:
    folder = Path(site.app.config["COURSE_CAPSTONE_UPLOAD_FOLDER"])
    assert folder.is_absolute() and "static" not in folder.parts
    return folder


def _stored(site: Site) -> list[str]:
    folder = _folder(site)
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def _versions(site: Site) -> list[CapstoneVersion]:
    with site.app.app_context():
        return session().scalars(select(CapstoneVersion)).all()


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def test_a_file_of_another_type_is_refused_and_nothing_is_stored(cap_site: Site) -> None:
    learner = cap_site.logged_in_client()
    for data, name in ((b"<html><script>alert(1)</script>", "plan.pdf"),
                       (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "plan.png"),
                       (b"PK\x03\x04 not really a zip", "plan.docx")):
        response = send(learner, cap_site, "save", "My text survives",
                        attachment=(io.BytesIO(data), name))
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "must be a PDF, Word (.docx), PNG or JPEG file" in html
        assert "My text survives" in html  # nothing the learner wrote is lost
    assert _stored(cap_site) == [] and _versions(cap_site) == []


def test_an_attachment_over_the_cap_is_refused(cap_site: Site) -> None:
    cap_site.app.config["COURSE_CAPSTONE_UPLOAD_MAX_BYTES"] = 1000
    learner = cap_site.logged_in_client()
    big = PNG + b"\x00" * 2000
    response = send(learner, cap_site, "save", "text", attachment=(io.BytesIO(big), "a.png"))
    assert response.status_code == 400 and "larger than 1 KB" in response.get_data(as_text=True)
    huge = PNG + b"\x00" * 400_000  # over the whole request's cap: refused before it is read
    response = send(learner, cap_site, "save", "text", attachment=(io.BytesIO(huge), "a.png"))
    assert response.status_code == 413 and "larger than 1 KB" in response.get_data(as_text=True)
    assert _stored(cap_site) == [] and _versions(cap_site) == []


def test_a_stored_attachment_reaches_only_the_learner_and_reviewers(cap_site: Site) -> None:
    learner = cap_site.logged_in_client()
    response = send(learner, cap_site, "submit", "## Plan",
                    attachment=(io.BytesIO(PNG), "../../static/evil.html"))
    assert response.status_code == 302
    (stored,) = _stored(cap_site)
    assert "evil" not in stored and "." not in stored  # a random name, no extension
    (version,) = _versions(cap_site)
    assert version.attachment == stored and version.attachment_type == "png"
    url = cap_site.url(f"/capstone/attachments/{version.id}")
    download = learner.get(url)
    assert download.status_code == 200 and download.data == PNG
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "capstone-attachment.png" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.mimetype == "image/png"
    trainer = cap_site.trainer_client()  # reviews learners in no organisation
    assert trainer.get(url).status_code == 200
    other = cap_site.app.test_client()
    from tests.conftest import register

    if cap_site.mode == "standalone":
        register(other, email="other@example.com", name="Other Learner")
    else:
        other.post("/login", data={"email": "ada@host.example"})  # a trainer in the host
        other = cap_site.client()
        from tests.hostapp import Staff, db

        with cap_site.app.app_context():
            db.session.add(Staff(email="carl@host.example", name="Carl Host"))
            db.session.commit()
        other.post("/login", data={"email": "carl@host.example"})
    assert other.get(url).status_code == 404
    assert cap_site.client().get(url).status_code in (302, 401)
    assert learner.get(cap_site.url("/capstone/attachments/9999")).status_code == 404


def test_a_docx_and_a_replacement_keep_one_file_each(cap_site: Site) -> None:
    learner = cap_site.logged_in_client()
    send(learner, cap_site, "save", "v1", attachment=(io.BytesIO(_docx()), "plan.docx"))
    first = _stored(cap_site)
    assert len(first) == 1 and _versions(cap_site)[0].attachment_type == "docx"
    pdf = b"%PDF-1.7\n%fake but starts right\n"
    send(learner, cap_site, "save", "v1", attachment=(io.BytesIO(pdf), "plan.pdf"))
    second = _stored(cap_site)
    assert len(second) == 1 and second != first  # the replaced draft file is deleted
    send(learner, cap_site, "save", "v1", remove_attachment="y")
    assert _stored(cap_site) == [] and _versions(cap_site)[0].attachment is None


def test_another_organisations_manager_cannot_download(cap_orgs) -> None:  # noqa: F811
    site = cap_orgs.site
    cap_orgs.add_member("acme", "ada@acme.example", "Ada Acme")
    ada = cap_orgs.people.client("ada@acme.example")
    send(ada, site, "submit", "Plan", attachment=(io.BytesIO(PNG), "p.png"))
    (version,) = _versions(site)
    url = site.url(f"/capstone/attachments/{version.id}")
    assert cap_orgs.manager("globex").get(url).status_code == 404
    assert cap_orgs.manager("acme").get(url).status_code == 200
    with site.app.app_context():
        assert session().scalars(select(CapstoneSubmission)).one().user_id != ""


def test_a_reviewer_never_downloads_a_draft(cap_site: Site) -> None:
    """Work the learner has not handed in stays theirs, attachments included."""
    learner = cap_site.logged_in_client()
    assert send(learner, cap_site, "save", "## Half a plan",
                attachment=(io.BytesIO(PNG), "draft.png")).status_code == 302
    (version,) = _versions(cap_site)
    assert version.state == "draft" and version.attachment
    url = cap_site.url(f"/capstone/attachments/{version.id}")
    assert learner.get(url).status_code == 200
    assert cap_site.trainer_client().get(url).status_code == 404
