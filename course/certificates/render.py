"""The certificate renderer: a template from `certificates/<name>/` to a tagged PDF/A-3a file
(tagged, so screen readers read it in order, with the images' alt text).

A template folder may hold `template.yaml` with its options; today one, `page_size: a4` (the
default) or `page_size: letter`: the page is that size, landscape, whatever the template's CSS
says, and the template gets `page_size` to adapt its layout.

Safe by construction (security.md, "Certificates"):
- templates render with autoescaping and a context of plain values, so a learner's name is
  always text, never markup;
- WeasyPrint may load only files inside the template's own folder (resolved paths, no escape
  through symlinks, a size cap); anything else (other files, http, data: URLs) stops the
  render with a refusal, which is turned into a CourseError: fail closed;
- names are normalised (NFC), stripped of control and bidi characters and capped in length.
Fast (performance.md): one renderer per process and template keeps one FontConfiguration,
pre-parsed stylesheets and an image cache.
"""

from __future__ import annotations

import io
import json
import re
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2
import segno
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from ..content.yamlfile import load_yaml
from ..errors import ContentError, CourseError

MAX_NAME = 120
MAX_ASSET_BYTES = 2_000_000
TEMPLATE = "certificate.html"
STYLESHEET = "certificate.css"
QR_NAME = "verification-qr.png"  # not a file: made per certificate and served from memory
LOGO_NAME = "organisation-logo"  # not a file either: an organisation's sanitised logo
LOGO_TYPES = {"image/png": ".png", "image/svg+xml": ".svg"}
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
SETTINGS = "template.yaml"
PAGE_SIZES = {"a4": "A4 landscape", "letter": "letter landscape"}
VARIANT = "pdf/a-3a"  # PDF/A-3 (attachments allowed), level A: tagged, with Unicode text


class CertificateRenderError(CourseError):
    """The certificate could not be rendered safely; nothing was produced."""


class Refused(FatalURLFetchingError):
    """A fetch outside the template's folder. Deliberately not an Exception subclass (WeasyPrint
    would swallow those), so the render stops."""


def normalise_name(raw: str) -> str:
    """A name fit to print: NFC, no control or bidi characters, single spaces, capped."""
    text = unicodedata.normalize("NFC", raw or "")
    kept = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs",
                                                                          "Co", "Cn"))
    return " ".join(kept.split())[:MAX_NAME].strip()


@dataclass(frozen=True)
class Factor:
    title: str
    score: str  # already formatted, e.g. "92"


@dataclass(frozen=True)
class CertificateData:
    """Everything printed on a certificate, as plain values; also the attached JSON snapshot."""

    name: str
    course_title: str
    factors: tuple[Factor, ...]
    issued_on: str
    valid_until: str | None
    code: str
    verify_url: str
    issuer: str
    organisation: str | None = None
    template_version: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def snapshot(self) -> dict[str, Any]:
        """The JSON-ready snapshot embedded in the PDF."""
        return asdict(self)


@dataclass(frozen=True)
class Branding:
    """An organisation's look on its members' certificates: validated values only (a logo that
    was sanitised and re-encoded, a #rrggbb colour, a plain-text signatory)."""

    logo: bytes | None = None
    logo_type: str | None = None  # image/png or image/svg+xml
    primary_colour: str | None = None
    signatory: str | None = None


class FolderFetcher(URLFetcher):
    """Serves files inside one folder and refuses everything else."""

    def __init__(self, folder: Path) -> None:
        super().__init__(allow_redirects=False)
        self.folder = folder.resolve()
        # Images made for the render in progress (QR code, logo), by their exact URL.
        self.generated: dict[str, tuple[bytes, str]] = {}

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url in self.generated:
            body, mime = self.generated[url]
            return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise Refused(f"refused to fetch {url[:100]!r}: only the template's own files")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.folder) or not path.is_file():
            raise Refused(f"refused to read {url[:100]!r}: outside the template's folder")
        if path.stat().st_size > MAX_ASSET_BYTES:
            raise Refused(f"refused to read {path.name}: larger than {MAX_ASSET_BYTES} bytes")
        return URLFetcherResponse(url, body=path.read_bytes())


class CertificateRenderer:
    """One template, warm: render as many certificates as needed from this object."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        if not (self.folder / TEMPLATE).is_file():
            raise CertificateRenderError(f"{self.folder} has no {TEMPLATE}")
        self.fonts = FontConfiguration()
        self.fetcher = FolderFetcher(self.folder)
        self.base_url = self.folder.as_uri() + "/"
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(self.folder),
                                      autoescape=True, undefined=jinja2.StrictUndefined)
        try:
            self.template = self.env.get_template(TEMPLATE)
        except jinja2.TemplateError as exc:
            raise CertificateRenderError(template_problem(self.folder, exc)) from None
        self.page_size = template_page_size(self.folder)
        self.cache: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._serial = 0
        try:
            self.stylesheets = [CSS(filename=str(self.folder / STYLESHEET), font_config=self.fonts,
                                    url_fetcher=self.fetcher, base_url=self.base_url)] if (
                self.folder / STYLESHEET).is_file() else []
        except FatalURLFetchingError as exc:
            raise CertificateRenderError(f"certificate stylesheet: {exc}") from None
        self.stylesheets.append(CSS(string=f"@page {{ size: {PAGE_SIZES[self.page_size]} }}"))

    def html(self, data: CertificateData, qr_image: str = QR_NAME,
             branding: Branding | None = None, logo_image: str | None = None) -> str:
        """The certificate's HTML (autoescaped). The template gets the data's plain values plus
        `qr_image` (the QR code's relative URL), `logo_image` (an organisation's logo, or None
        for the template's own), `brand_colour` (a validated #rrggbb or None) and
        `signatory` (text or None)."""
        branding = branding or Branding()
        colour = branding.primary_colour if branding.primary_colour and COLOUR.fullmatch(
            branding.primary_colour) else None
        values = {**asdict(data), "factors": [asdict(f) for f in data.factors],
                  "qr_image": qr_image, "logo_image": logo_image, "brand_colour": colour,
                  "signatory": normalise_name(branding.signatory or "") or None,
                  "page_size": self.page_size}
        return self.template.render(**values)

    @staticmethod
    def qr_png(url: str) -> bytes:
        """The QR code of `url` as a PNG with one pixel per module: the template scales it up
        with `image-rendering: pixelated`. Much cheaper for WeasyPrint to draw than SVG paths."""
        out = io.BytesIO()
        segno.make(url, error="m").save(out, kind="png", scale=1, border=0)
        return out.getvalue()

    @contextmanager
    def document(self, data: CertificateData,
                 branding: Branding | None = None) -> Iterator[HTML]:
        """The certificate as a WeasyPrint document, with its QR code (and an organisation's
        logo) served from memory while the block runs. Renders are serialised: a
        FontConfiguration is not meant for parallel use."""
        qr_png = self.qr_png(data.verify_url)
        with self._lock:
            self._serial += 1
            qr_name = f"{QR_NAME}?{self._serial}"  # a new URL per render: never cached
            generated = {self.base_url + qr_name: (qr_png, "image/png")}
            logo_name = None
            if branding is not None and branding.logo and branding.logo_type in LOGO_TYPES:
                logo_name = f"{LOGO_NAME}{LOGO_TYPES[branding.logo_type]}?{self._serial}"
                generated[self.base_url + logo_name] = (branding.logo, branding.logo_type)
            self.fetcher.generated = generated
            try:
                yield HTML(string=self.html(data, qr_name, branding, logo_name),
                           base_url=self.base_url, url_fetcher=self.fetcher)
            finally:
                self.fetcher.generated = {}
                for url in generated:
                    self.cache.pop(url, None)

    def render(self, data: CertificateData, branding: Branding | None = None) -> bytes:
        """The tagged PDF/A-3a bytes, with the snapshot attached as certificate.json."""
        snapshot = json.dumps(data.snapshot(), sort_keys=True, ensure_ascii=False).encode()
        attachment = Attachment(string=snapshot, name="certificate.json",
                                description="The certificate's data, as issued")
        try:
            with self.document(data, branding) as document:
                return document.write_pdf(stylesheets=self.stylesheets, font_config=self.fonts,
                                          pdf_variant=VARIANT, pdf_tags=True,
                                          attachments=[attachment],
                                          cache=self.cache, uncompressed_pdf=False)
        except FatalURLFetchingError as exc:
            raise CertificateRenderError(str(exc)) from None
        except jinja2.TemplateError as exc:  # a template that cannot fill itself in
            raise CertificateRenderError(template_problem(self.folder, exc)) from None


def template_page_size(folder: Path) -> str:
    """The page size a template folder asks for in template.yaml: 'a4' (also when there is no
    such file) or 'letter'. CertificateRenderError, naming file and line, for anything else."""
    path = folder / SETTINGS
    if not path.is_file():
        return "a4"
    try:
        located = load_yaml(path.read_text(encoding="utf-8"), str(path))
    except (ContentError, UnicodeDecodeError) as exc:
        raise CertificateRenderError(str(exc)) from None
    settings = located.data if located.data is not None else {}
    if not isinstance(settings, dict) or set(settings) - {"page_size"}:
        raise CertificateRenderError(f"{path}:1: the only option is page_size")
    size = str(settings.get("page_size", "a4")).lower()
    if size not in PAGE_SIZES:
        raise CertificateRenderError(
            f"{path}:{located.line('page_size')}: page_size is 'a4' or 'letter', not {size!r}")
    return size


def template_problem(folder: Path, exc: jinja2.TemplateError) -> str:
    """`folder/certificate.html:line: reason` for a template that does not compile or render."""
    line = getattr(exc, "lineno", None)
    return f"{folder / TEMPLATE}:{line or '?'}: {exc.message or type(exc).__name__}"


_renderers: dict[Path, CertificateRenderer] = {}
_renderers_lock = threading.Lock()


def renderer_for(folder: Path) -> CertificateRenderer:
    """The warm renderer for a template folder (one per process)."""
    key = folder.resolve()
    with _renderers_lock:
        if key not in _renderers:
            _renderers[key] = CertificateRenderer(key)
        return _renderers[key]
