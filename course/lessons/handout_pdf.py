"""Downloadable templates as PDF: the template's sanitised HTML on an A4 page with the site's
name, rendered once per content version and process (WeasyPrint, fetching nothing at all)."""

from __future__ import annotations

import threading
from typing import Any

from markupsafe import Markup, escape
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from ..errors import CourseError

STYLE = """
@page { size: A4; margin: 18mm 16mm 20mm; @bottom-left { content: string(source);
  font: 8pt "DejaVu Sans", sans-serif; color: #555; } @bottom-right {
  content: "Page " counter(page) " of " counter(pages); font: 8pt "DejaVu Sans", sans-serif;
  color: #555; } }
html { font: 10pt/1.45 "DejaVu Sans", sans-serif; color: #1b1f24; }
.source { string-set: source content(); font-size: 8pt; color: #555; margin: 0 0 1mm; }
h1 { font-size: 18pt; color: #1d4ed8; margin: 0 0 2mm; }
.summary { font-size: 10.5pt; color: #333; margin: 0 0 6mm; }
h2 { font-size: 12.5pt; margin: 6mm 0 2mm; border-bottom: 0.5pt solid #c7d2fe; }
h3 { font-size: 11pt; margin: 4mm 0 1.5mm; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; }
th, td { border: 0.5pt solid #94a3b8; padding: 1.5mm 2mm; text-align: left; vertical-align: top; }
th { background: #eef2ff; }
ul, ol { padding-left: 6mm; } li { margin: 0.8mm 0; }
li.task { list-style: none; margin-left: -5mm; }
li.task::before { content: ""; display: inline-block; width: 3mm; height: 3mm; margin-right: 2mm;
  border: 0.6pt solid #1b1f24; vertical-align: -0.4mm; }
li.task.done::before { background: #1b1f24; }
blockquote { margin: 2mm 0; padding: 1mm 4mm; border-left: 1.5pt solid #94a3b8; color: #333; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 9pt; }
a { color: inherit; text-decoration: none; }
img { max-width: 100%; }
"""


class HandoutRenderError(CourseError):
    """A template could not be turned into a PDF."""


class _NoFetching(URLFetcher):
    """Every fetch is refused: a template's PDF needs nothing from outside its HTML (an image
    in a template is left out of the PDF, never fetched)."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        raise ValueError(f"refused to fetch {url[:80]!r}")


class HandoutRenderer:
    """One per process: a warm font configuration and stylesheet, and a PDF cache."""

    def __init__(self) -> None:
        self.fonts = FontConfiguration()
        self.fetcher = _NoFetching()
        self.style = CSS(string=STYLE, font_config=self.fonts, url_fetcher=self.fetcher)
        self.cache: dict[tuple[str, str], bytes] = {}
        self._lock = threading.Lock()

    def html(self, title: str, summary: str, body_html: str, footer: str) -> str:
        """The document: escaped title, summary and source line around the sanitised body."""
        return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
                f"<title>{escape(title)}</title></head><body>"
                f'<p class="source">{escape(footer)}</p><h1>{escape(title)}</h1>'
                f'<p class="summary">{escape(summary)}</p>{Markup(body_html)}</body></html>')

    def pdf(self, key: tuple[str, str], title: str, summary: str, body_html: str,
            footer: str) -> bytes:
        """The PDF for `key` (course version, slug), rendered the first time it is asked for."""
        with self._lock:
            if key not in self.cache:
                try:
                    self.cache[key] = HTML(string=self.html(title, summary, body_html, footer),
                                           url_fetcher=self.fetcher).write_pdf(
                        stylesheets=[self.style], font_config=self.fonts)
                except FatalURLFetchingError as exc:
                    raise HandoutRenderError(str(exc)) from None
            return self.cache[key]


_renderer: HandoutRenderer | None = None
_renderer_lock = threading.Lock()


def handout_renderer() -> HandoutRenderer:
    """The process's renderer."""
    global _renderer
    with _renderer_lock:
        if _renderer is None:
            _renderer = HandoutRenderer()
        return _renderer
