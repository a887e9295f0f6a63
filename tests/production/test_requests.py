"""What a request cannot do: reach the database with an id beyond its range, send a body larger
than the site accepts, go without a request id, leave a verify page's address to another site,
or run a production site on a secret key published in this repository."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from flask import Flask

from course.config import is_strong_secret
from course.errors import CourseConfigError
from course.web import MAX_ID
from tests.conftest import TEST_SECRET, Site, csrf_token

ROOT = Path(__file__).resolve().parents[2]
TOO_BIG = "99999999999999999999"
ID_ARGUMENT = re.compile(r"<course_id:[^>]+>")


# ------------------------------------------------------------------ ids
def id_rules(app: Flask) -> list:
    return [rule for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("course.") and ID_ARGUMENT.search(rule.rule)]


def url_for_rule(rule, value: str) -> str:
    path = ID_ARGUMENT.sub(value, rule.rule)
    return re.sub(r"<(?:[^>:]+:)?[^>]+>", "social-divide", path)


def test_every_id_in_a_route_is_bounded(site: Site) -> None:
    plain = [r.rule for r in site.app.url_map.iter_rules()
             if r.endpoint.startswith("course.") and "<int:" in r.rule]
    assert plain == [], "use <course_id:...> for ids, so an overflowing one is a 404"
    assert len(id_rules(site.app)) >= 15


def test_ids_beyond_the_databases_range_are_404_on_every_route(site: Site) -> None:
    client = site.trainer_client()
    for rule in id_rules(site.app):
        method = "GET" if "GET" in rule.methods else "POST"
        for value in (TOO_BIG, str(MAX_ID + 1), "-1", "0"):
            url = site.url(url_for_rule(rule, value))
            response = client.open(url, method=method)
            assert response.status_code == 404, (rule.rule, value, response.status_code)
        # The largest id that fits reaches the view, which answers without a database error.
        response = client.open(site.url(url_for_rule(rule, str(MAX_ID))), method=method)
        assert response.status_code < 500, (rule.rule, response.status_code)


def test_unknown_urls_carry_a_request_id(standalone_app: Flask) -> None:
    client = standalone_app.test_client()
    response = client.get("/no/such/page", headers={"X-Request-ID": "trace-404-abcdef"})
    assert response.status_code == 404 and response.headers["X-Request-ID"] == "trace-404-abcdef"
    assert "Content-Security-Policy" in response.headers
    response = client.get(f"/certificates/{TOO_BIG}/certificate.pdf")
    assert response.status_code == 404 and re.fullmatch(r"[0-9a-f]{32}",
                                                        response.headers["X-Request-ID"])


# ------------------------------------------------------------------ sizes
BOUNDARY = "course-test-boundary"


def multipart(fields: dict[str, str], files: dict[str, bytes] | None = None) -> dict:
    """A multipart body built in memory (the test client would spool a large one to a file it
    never closes), as keyword arguments for `client.post`."""
    parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
             f"{value}\r\n".encode() for name, value in fields.items()]
    parts += [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
              f'filename="{name}.pdf"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
              + body + b"\r\n" for name, body in (files or {}).items()]
    return {"data": b"".join(parts) + f"--{BOUNDARY}--\r\n".encode(),
            "content_type": f"multipart/form-data; boundary={BOUNDARY}"}


def test_the_standalone_site_refuses_large_bodies_quickly(standalone_app: Flask) -> None:
    client = standalone_app.test_client()
    token = csrf_token(client, "/account/login")
    response = client.post("/account/login", data={"csrf_token": token,
                                                   "email": "x" * (5 * 1024 * 1024)})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    assert response.headers["X-Request-ID"]
    many = {f"field{n}": "x" for n in range(1_100)}
    response = client.post("/account/login", data={"csrf_token": token, **many},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    # One field over its cap.
    response = client.post("/account/login", **multipart({"csrf_token": token,
                                                          "email": "x" * 600_000}))
    assert response.status_code == 413


def test_checking_a_pdf_has_a_size_cap_standalone_and_mounted(site: Site) -> None:
    client = site.client()
    page = site.url("/verify/check")
    token = csrf_token(client, page)
    big = b"%PDF-1.7\n" + b"0" * 3_000_000
    response = client.post(page, **multipart({"csrf_token": token}, {"pdf": big}))
    assert response.status_code == 413
    assert "larger than 2 MB" in response.get_data(as_text=True)
    response = client.post(page, **multipart({"csrf_token": csrf_token(client, page)},
                                             {"pdf": b"%PDF-1.7\nnot one of ours"}))
    assert response.status_code == 200 and "not a certificate we issued" in response.get_data(
        as_text=True)


# ------------------------------------------------------------------ headers
def test_headers_of_every_page_and_of_the_verify_pages(site: Site) -> None:
    client = site.client()
    if site.mode == "host":  # the plugin's policy only when the host opts in
        site.app.config["COURSE_CSP"] = "strict"
    csp = client.get(site.url("/catalogue")).headers["Content-Security-Policy"]
    assert "base-uri 'none'" in csp
    for path in ("/verify/NO-SUCH-CODE", "/verify/check"):
        response = client.get(site.url(path))
        assert response.headers["Referrer-Policy"] == "no-referrer", path
        assert response.headers["Cache-Control"] == "no-store", path


# ------------------------------------------------------------------ secret keys
def _value(node: ast.AST) -> str | int | None:
    """A string built from literals only ("a" + "b" * 3), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str | int):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mult):
        left, right = _value(node.left), _value(node.right)
        if left is None or right is None:
            return None
        try:
            result = left + right if isinstance(node.op, ast.Add) else left * right
        except TypeError:
            return None
        return result if isinstance(result, str) else None
    return None


def _secret_nodes(tree: ast.AST) -> list[ast.AST]:
    """Expressions given to anything named like a secret key."""
    found: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            if any(isinstance(t, ast.Name) and "SECRET" in t.id for t in node.targets):
                found.append(node.value)
        elif isinstance(node, ast.keyword) and node.arg and "SECRET" in node.arg:
            found.append(node.value)
        elif isinstance(node, ast.Dict):
            found += [v for k, v in zip(node.keys, node.values, strict=True)
                      if isinstance(k, ast.Constant) and "SECRET" in str(k.value)]
        elif isinstance(node, ast.Call) and len(node.args) >= 2 and isinstance(
                node.args[0], ast.Constant) and "SECRET" in str(node.args[0].value):
            found.append(node.args[1])
    return found


def published_secrets() -> set[str]:
    """Every secret key written in this repository's code and README."""
    keys: set[str] = set()
    scripts = [p for p in (ROOT / "scripts").iterdir()
               if p.is_file() and p.read_text().startswith("#!/usr/bin/env python")]
    for folder in ("course", "tests", "bench", "scripts"):
        for path in [*(ROOT / folder).rglob("*.py"), *(scripts if folder == "scripts" else [])]:
            for node in _secret_nodes(ast.parse(path.read_text(), str(path))):
                value = _value(node)
                if isinstance(value, str):
                    keys.add(value)
    for text in [(ROOT / "README.md").read_text(), (ROOT / "wsgi.py").read_text()]:
        keys.update(re.findall(r"SECRET_KEY\W{1,4}[\"']([^\"'\s]{8,})[\"']", text))
    return keys


def test_every_secret_key_in_the_repository_is_refused(make_app) -> None:
    keys = published_secrets()
    assert TEST_SECRET in keys and len(keys) >= 4
    assert [k for k in keys if is_strong_secret(k)] == []
    with pytest.raises(CourseConfigError, match="published"):
        make_app(raw={"SECRET_KEY": TEST_SECRET})
    assert make_app(raw={"SECRET_KEY": TEST_SECRET, "TESTING": True}, instance="testing")
