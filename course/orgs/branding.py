"""An organisation's certificate branding from a manager's form, made safe (pure).

Never raw HTML or CSS: a colour must be #rrggbb, a signatory is plain text, and a logo is either
a PNG decoded and re-encoded by Pillow (metadata dropped) or an SVG rebuilt from an allow-list of
shape elements and presentation attributes (no scripts, styles, links, images, text or external
references); XML is parsed with defusedxml (no entities, no DTD tricks).
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET  # noqa: N817 (only to build and write the clean tree)

from defusedxml import ElementTree as SafeET
from PIL import Image, UnidentifiedImageError

from ..errors import CourseError

MAX_LOGO_BYTES = 300_000
MAX_LOGO_PIXELS = 2000
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
SVG = "http://www.w3.org/2000/svg"
ELEMENTS = {"svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
            "defs", "linearGradient", "radialGradient", "stop", "title", "desc"}
ATTRIBUTES = {
    "id", "d", "x", "y", "width", "height", "viewBox", "preserveAspectRatio", "cx", "cy", "r",
    "rx", "ry", "x1", "y1", "x2", "y2", "points", "transform", "fill", "fill-opacity",
    "fill-rule", "clip-rule", "stroke", "stroke-width", "stroke-opacity", "stroke-linecap",
    "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray", "opacity", "offset",
    "stop-color", "stop-opacity", "gradientUnits", "gradientTransform", "fx", "fy", "version",
}
LOCAL_URL = re.compile(r"url\(#[A-Za-z][\w.-]*\)")
SAFE_VALUE = re.compile(r"[\w\s#.,%()+\-/:;]*")


class LogoError(CourseError):
    """The uploaded logo cannot be used; the message says why."""


def clean_colour(value: str | None) -> str | None:
    """A #rrggbb colour in lower case, None for empty; ValueError for anything else."""
    value = (value or "").strip()
    if not value:
        return None
    if not COLOUR.fullmatch(value):
        raise ValueError("Use a colour like #1f4e79.")
    return value.lower()


def clean_logo(data: bytes) -> tuple[bytes, str]:
    """The logo re-encoded safely, with its type: ("image/png" or "image/svg+xml")."""
    if not data:
        raise LogoError("The file is empty.")
    if len(data) > MAX_LOGO_BYTES:
        raise LogoError(f"The logo is larger than {MAX_LOGO_BYTES // 1000} KB.")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _clean_png(data), "image/png"
    head = data[:500].lstrip().lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--")):
        return _clean_svg(data), "image/svg+xml"
    raise LogoError("Upload an SVG or PNG file.")


def _clean_png(data: bytes) -> bytes:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            if max(image.size) > MAX_LOGO_PIXELS:
                raise LogoError(f"The logo is larger than {MAX_LOGO_PIXELS} pixels across.")
            out = io.BytesIO()
            image.convert("RGBA").save(out, format="PNG", optimize=True)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise LogoError("This PNG file cannot be read.") from exc
    return out.getvalue()


def _clean_svg(data: bytes) -> bytes:
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except Exception as exc:  # defusedxml raises several kinds; all mean "refused"
        raise LogoError("This SVG file cannot be read safely.") from exc
    if _local(root.tag) != "svg" or not root.tag.startswith("{" + SVG):
        raise LogoError("This is not an SVG image.")
    ET.register_namespace("", SVG)
    clean = _copy(root)
    if not clean.get("viewBox") and not (clean.get("width") and clean.get("height")):
        raise LogoError("The SVG needs a viewBox (or a width and a height).")
    return ET.tostring(clean, encoding="utf-8", xml_declaration=True)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _copy(node: ET.Element) -> ET.Element:
    """The node with only allowed attributes and allowed children, recursively."""
    out = ET.Element(f"{{{SVG}}}{_local(node.tag)}")
    for name, value in node.attrib.items():
        if "}" in name or name not in ATTRIBUTES:
            continue  # namespaced (xlink:href...), event handlers, style, class: dropped
        if "url(" in value and not LOCAL_URL.fullmatch(value.strip()):
            continue
        if not SAFE_VALUE.fullmatch(value) or "javascript" in value.lower():
            continue
        out.set(name, value)
    if _local(node.tag) in {"title", "desc"}:
        out.text = (node.text or "")[:200]
    for child in node:
        if child.tag.startswith("{" + SVG) and _local(child.tag) in ELEMENTS:
            out.append(_copy(child))
    return out
