"""Branding: an organisation's logo (SVG rebuilt from an allow-list, PNG re-encoded), colour
and signatory, set by its manager, never raw HTML or CSS; members' certificates use them."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from pypdf import PdfReader

from course.orgs.branding import LogoError, clean_colour, clean_logo
from tests.orgs.fixtures import Orgs

SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">{}</svg>'


@pytest.mark.parametrize("inner, gone", [
    ('<script>alert(1)</script><rect width="5" height="5"/>', b"script"),
    ('<rect width="5" height="5" onload="alert(1)"/>', b"onload"),
    ('<image href="file:///etc/passwd" width="5" height="5"/>', b"passwd"),
    ('<rect width="5" height="5" fill="url(http://evil.example/x)"/>', b"evil"),
    ('<rect width="5" height="5" style="fill:url(file:///etc/passwd)"/>', b"passwd"),
    ('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>',
     b"foreignObject"),
    ('<a href="javascript:alert(1)"><rect width="5" height="5"/></a>', b"javascript"),
    ('<use href="#x" xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="http://e.x/s.svg"/>',
     b"e.x"),
    ('<text x="1" y="5">@import url(http://evil)</text>', b"import"),
])
def test_svg_logos_keep_only_safe_shapes(inner: str, gone: bytes) -> None:
    cleaned, kind = clean_logo(SVG.format(inner).encode())
    assert kind == "image/svg+xml" and gone not in cleaned
    assert cleaned.startswith(b"<?xml") and b"<svg" in cleaned


def test_svg_keeps_shapes_gradients_and_local_references() -> None:
    inner = ('<defs><linearGradient id="g"><stop offset="0" stop-color="#123456"/>'
             '</linearGradient></defs><circle cx="5" cy="5" r="4" fill="url(#g)"/>')
    cleaned, _ = clean_logo(SVG.format(inner).encode())
    assert b'fill="url(#g)"' in cleaned and b"linearGradient" in cleaned


@pytest.mark.parametrize("data, message", [
    (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
     b'<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>', "cannot be read safely"),
    (b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
     b'<svg xmlns="http://www.w3.org/2000/svg">&b;</svg>', "cannot be read safely"),
    (b"<html><script>alert(1)</script></html>", "Upload an SVG or PNG"),
    (b"GIF89a....", "Upload an SVG or PNG"),
    (b"\x89PNG\r\n\x1a\nnot really", "cannot be read"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "needs a viewBox"),
    (b"", "empty"),
    (b"<svg>" + b" " * 400_000 + b"</svg>", "larger than"),
])
def test_unusable_logos_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(LogoError, match=message):
        clean_logo(data)


def test_png_logos_are_re_encoded_without_metadata() -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    out = io.BytesIO()
    Image.new("RGB", (20, 10), "#1f4e79").save(out, format="PNG", pnginfo=info)
    cleaned, kind = clean_logo(out.getvalue())
    assert kind == "image/png" and b"script" not in cleaned
    assert Image.open(io.BytesIO(cleaned)).size == (20, 10)


def test_colours() -> None:
    assert clean_colour(" #1F4E79 ") == "#1f4e79" and clean_colour("") is None
    for bad in ("red", "#12345", "#1f4e79; background: url(x)", "expression(alert(1))"):
        with pytest.raises(ValueError):
            clean_colour(bad)


def test_manager_sets_the_look_and_members_certificates_use_it(orgs: Orgs) -> None:
    site = orgs.site
    manager = orgs.manager()
    url = site.url("/org/settings")
    token = re.search(r'name="brand-csrf_token"[^>]*value="([^"]+)"',
                      manager.get(url).get_data(as_text=True)).group(1)
    bad = manager.post(url, data={"brand-csrf_token": token, "brand-template": "default",
                                  "brand-primary_colour": "red;}body{display:none"},
                       content_type="multipart/form-data")
    assert bad.status_code == 400 and "Use a colour like" in bad.get_data(as_text=True)
    hostile = manager.post(url, data={
        "brand-csrf_token": token, "brand-template": "default",
        "brand-logo": (io.BytesIO(b"<html><script>alert(1)</script></html>"), "logo.svg")},
        content_type="multipart/form-data")
    assert hostile.status_code == 400 and "Upload an SVG or PNG" in hostile.get_data(True)
    logo = SVG.format('<rect width="10" height="10" fill="#0a7d55"/><script>x()</script>')
    good = manager.post(url, data={
        "brand-csrf_token": token, "brand-template": "classic",
        "brand-primary_colour": "#0A7D55", "brand-signatory": "Ada  Director",
        "brand-logo": (io.BytesIO(logo.encode()), "logo.svg")},
        content_type="multipart/form-data")
    assert good.status_code == 302, good.get_data(as_text=True)
    served = manager.get(site.url("/org/logo"))
    assert served.mimetype == "image/svg+xml" and b"script" not in served.data
    assert "default-src 'none'" in served.headers["Content-Security-Policy"]

    from tests.orgs.test_bulk import certificates_of, finished_everything

    ids = finished_everything(orgs, "ana@acme.example")
    result = site.app.test_cli_runner().invoke(args=["course", "issue-certificates",
                                                     "--org", "acme"])
    assert result.exit_code == 0, result.output
    [cert] = certificates_of(site, ids)
    assert cert.template == "classic"  # the organisation's choice of the bundled templates
    page = PdfReader(io.BytesIO(cert.pdf)).pages[0]
    assert "Signed for Acme Ltd: Ada Director" in page.extract_text()
    # The colour reached the PDF's drawing operators (0.039 0.490 0.333 is #0a7d55).
    drawn = page.get_contents().get_data().decode("latin-1")
    assert "0.039" in drawn and "0.49" in drawn
