"""The certificate renderer: a real PDF checked with pypdf, and hostile input made harmless
(no file read, no request made, the text shown literally)."""

from __future__ import annotations

import dataclasses
import http.server
import io
import json
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from course.certificates.render import (
    MAX_NAME,
    CertificateData,
    CertificateRenderer,
    CertificateRenderError,
    Factor,
    normalise_name,
)

TEMPLATE = Path(__file__).resolve().parents[2] / "certificates" / "default"
CODE = "x7Kq2mP9vR4tW8yZ1bC5dF0gH3jL6nQ"


def data(name: str = "Lea Learner", **extra) -> CertificateData:
    return CertificateData(
        normalise_name(name), "The Social Divide",
        (Factor("Social Graph & Presence", "92"), Factor("Organisation", "88"),
         Factor("Role Model", "90"), Factor("Education", "85")),
        "26 November 2026", "26 November 2028", CODE,
        f"https://academy.example/verify/{CODE}", "Social Divide Academy", **extra)


@pytest.fixture(scope="module")
def renderer() -> CertificateRenderer:
    return CertificateRenderer(TEMPLATE)


def text_of(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_one_page_pdf_a_with_the_data_attached(renderer: CertificateRenderer) -> None:
    pdf = renderer.render(data())
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert width > height  # landscape
    text = text_of(pdf)
    assert "Lea Learner" in text and CODE in text and "Social Graph & Presence" in text
    assert list(reader.attachments) == ["certificate.json"]
    attached = json.loads(reader.attachments["certificate.json"][0])
    assert attached == json.loads(json.dumps(data().snapshot()))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="A"' in xmp  # PDF/A-3a: tagged
    assert reader.metadata.title == "Certificate: The Social Divide"
    assert reader.metadata.author == "Social Divide Academy"
    assert len(pdf) <= 50_000


def structure(node: object, found: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    """The structure tree's element types (and alt texts), depth first."""
    node = node.get_object() if hasattr(node, "get_object") else node
    if not hasattr(node, "get"):
        return found
    if "/S" in node:
        found.append((str(node["/S"]), str(node["/Alt"]) if "/Alt" in node else None))
    kids = node.get("/K")
    for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
        structure(kid, found)
    return found


@pytest.mark.parametrize("folder", ["default", "classic"])
def test_certificates_are_tagged_for_screen_readers(folder: str, tmp_path: Path) -> None:
    """Tagged PDF (MarkInfo, a structure tree, the language): a heading, the results as a
    table with header cells, and every picture with its alt text."""
    pdf = CertificateRenderer(TEMPLATE.parent / folder).render(data(organisation="Acme Ltd"))
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and root["/Lang"] == "en"
    tags = structure(root["/StructTreeRoot"], [])
    kinds = [kind for kind, _ in tags]
    assert "/H1" in kinds and "/Table" in kinds and kinds.count("/TH") == 4
    figures = [alt for kind, alt in tags if kind == "/Figure"]
    assert "QR code of the verification address" in figures
    assert "Logo of Acme Ltd" in figures and all(figures)
    (tmp_path / "c.pdf").write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(tmp_path / "c.pdf")], capture_output=True,
                          text=True, check=True).stdout
    assert "Tagged:          yes" in info and "(A4)" in info


def test_letter_size_is_a_template_option(tmp_path: Path) -> None:
    """`page_size: letter` in the template's template.yaml: a US Letter landscape page, the
    same content on it; a wrong value names the file and line."""
    folder = tmp_path / "letter"
    shutil.copytree(TEMPLATE, folder)
    (folder / "template.yaml").write_text("# for our US offices\npage_size: letter\n")
    pdf = CertificateRenderer(folder).render(data())
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (792, 612)
    assert "Lea Learner" in text_of(pdf) and CODE in text_of(pdf)
    (folder / "template.yaml").write_text("page_size: legal\n")
    with pytest.raises(CertificateRenderError, match=r"template.yaml:1: page_size is 'a4' or"):
        CertificateRenderer(folder)


def test_fonts_are_embedded_and_subset(renderer: CertificateRenderer) -> None:
    reader = PdfReader(io.BytesIO(renderer.render(data())))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = [fonts[f].get_object()["/BaseFont"] for f in fonts]
    assert names and all("+" in str(n) for n in names)  # ABCDEF+Name: a subset


def test_the_qr_code_scans_to_the_verification_url(renderer: CertificateRenderer,
                                                  tmp_path: Path) -> None:
    """Rasterise the page as a phone camera would see it and decode the QR code (zxing-cpp)."""
    first = data()
    second = dataclasses.replace(first, verify_url="https://academy.example/verify/another-42")
    for item in (first, second):  # a second render must not reuse the first one's image
        (tmp_path / "c.pdf").write_bytes(renderer.render(item))
        subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", str(tmp_path / "c.pdf"),
                        str(tmp_path / "page")], check=True)
        found = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
        assert [code.text for code in found] == [item.verify_url]


class CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        CountingHandler.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def listener():
    server = http.server.HTTPServer(("127.0.0.1", 0), CountingHandler)
    CountingHandler.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


HOSTILE_NAMES = [
    '<link rel="attachment" href="file:///etc/passwd">',
    '<img src="{url}/img">',
    '<object data="file:///etc/hostname"></object>',
    '<style>@import url("{url}/import.css");'
    ' body { background: url("file:///etc/passwd") }</style>',
    '<svg><image href="{url}/svg-image"/></svg>',
    '<iframe src="{url}/frame"></iframe><script>document.write(1)</script>',
    '"><a href="javascript:alert(1)">x</a>',
    "{{ 7 * 7 }} {% raw %}{{ config }}{% endraw %}",
]


@pytest.mark.parametrize("payload", HOSTILE_NAMES)
def test_hostile_names_are_printed_as_text(renderer: CertificateRenderer, listener: str,
                                           payload: str) -> None:
    name = payload.replace("{url}", listener)
    pdf = renderer.render(data(name))
    reader = PdfReader(io.BytesIO(pdf))
    assert list(reader.attachments) == ["certificate.json"]  # nothing else embedded
    assert b"root:" not in pdf  # no local file's content
    assert CountingHandler.hits == []  # no request made
    text = " ".join(text_of(pdf).split())
    assert normalise_name(name)[:40].replace("  ", " ") in text  # shown literally


def test_names_are_normalised() -> None:
    assert normalise_name("  Lea\u202eenraeL \u0000Smith\n") == "LeaenraeL Smith"
    assert normalise_name("Zoe\u0301") == "Zoé"  # NFC
    assert len(normalise_name("x" * 1_000_000)) == MAX_NAME


def hostile_template(tmp_path: Path, css: str = "", html_extra: str = "") -> Path:
    folder = tmp_path / "tpl"
    shutil.copytree(TEMPLATE, folder)
    if css:
        (folder / "certificate.css").write_text(css)
    if html_extra:
        page = (folder / "certificate.html").read_text()
        (folder / "certificate.html").write_text(page.replace("</body>", html_extra + "</body>"))
    return folder


@pytest.mark.parametrize("css", [
    '@import url("file:///etc/passwd");',
    'body { background: url("file:///etc/hostname"); }',
    '@font-face { font-family: X; src: url("../../../../etc/passwd"); } body { font-family: X }',
    'body { background: url("http://127.0.0.1:9/x.png"); }',
    'body { background: url("data:image/png;base64,iVBORw0KGgo="); }',
])
def test_templates_cannot_reach_outside_their_folder(tmp_path: Path, css: str) -> None:
    with pytest.raises(CertificateRenderError, match="refused"):
        CertificateRenderer(hostile_template(tmp_path, css=css)).render(data())


def test_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    folder = hostile_template(tmp_path, html_extra='<img src="leak.png">')
    (folder / "leak.png").symlink_to("/etc/passwd")
    with pytest.raises(CertificateRenderError, match="outside the template"):
        CertificateRenderer(folder).render(data())


def test_a_template_image_from_the_network_is_refused(tmp_path: Path, listener: str) -> None:
    folder = hostile_template(tmp_path, html_extra=f'<img src="{listener}/logo.png">')
    with pytest.raises(CertificateRenderError, match="refused"):
        CertificateRenderer(folder).render(data())
    assert CountingHandler.hits == []


@pytest.mark.parametrize("folder", sorted(p.name for p in TEMPLATE.parent.iterdir()
                                          if (p / "certificate.html").is_file()))
def test_every_bundled_template_makes_one_small_page(folder: str, tmp_path: Path) -> None:
    """Organisations pick among these: each is one page with the data, a scannable QR code and
    its own fonts (nothing from outside its folder)."""
    item = data(organisation="Acme Ltd")
    pdf = CertificateRenderer(TEMPLATE.parent / folder).render(item)
    reader = PdfReader(io.BytesIO(pdf))
    text = text_of(pdf).replace("\n", "")
    assert len(reader.pages) == 1 and len(pdf) <= 50_000
    assert "Lea Learner" in text and CODE in text and "Acme Ltd" in text
    (tmp_path / "c.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", str(tmp_path / "c.pdf"),
                    str(tmp_path / "page")], check=True)
    assert [c.text for c in zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))] == [
        item.verify_url]
