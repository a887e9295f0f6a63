"""The lesson pipeline: markdown to safe HTML (pure: no Flask, no database).

Python-Markdown does not sanitise, so its output always goes through nh3 with allow-lists: no
scripts, no `style`, no `on*`, links only to http(s), mailto, other lessons or the course's own
files, images only from the course's own files, every id prefixed so lesson HTML cannot clobber
the page's ids. Links are written relative to the lesson page (`other-lesson`,
`../files/<module>/<file>`) so the stored HTML is right under any URL prefix.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import posixpath
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .practice import placeholder, replace_fences

PIPELINE_VERSION = "4"  # 3: practice blocks become placeholders; 4: links to templates
ID_PREFIX = "s-"
FILES_URL = "../files/"
EXTENSIONS = ["toc", "tables", "fenced_code", "codehilite", "attr_list", "admonition",
              "def_list", "footnotes", "sane_lists", "abbr"]
EXTENSION_CONFIG = {
    "toc": {"toc_depth": "2-3"},
    "codehilite": {"css_class": "highlight", "guess_lang": False},
}
TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt",
    "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li",
    "mark", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "ul",
}
ATTRIBUTES = {
    "*": {"id"},
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "li": {"class"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "div": {"class", "role"},
    "p": {"class"},
    "span": {"class"},
    "code": {"class"},
    "pre": {"class"},
    "table": {"class"},
}
SCHEMES = {"http", "https", "mailto"}
LESSON_HREF = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:#[^\s\"'<>]+)?$")
# From a lesson to a downloadable template's page, and from a template's page to a lesson.
SIBLING_HREF = re.compile(r"^\.\./(?:templates|lessons)/[a-z0-9]+(?:-[a-z0-9]+)*(?:#[^\s\"'<>]+)?$")
FILE_URL = re.compile(r"^\.\./files/[A-Za-z0-9._/-]+$")
CONTROL = re.compile(r"[\x00-\x20\x7f]")
ESCAPED = re.compile("\x02(\\d+)\x03")  # Python-Markdown's placeholder for a backslash escape
RAW_URL = re.compile(r"""\b(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)


def resolve_in_course(lesson_rel: str, path: str) -> str | None:
    """`path` (relative to the lesson file `lesson_rel`) as a path inside the course folder,
    or None when it leads outside it. Dot segments count the way a browser or server reads
    them: percent-encoded (`%2e%2e/`, `..%2f`) and with backslashes too."""
    decoded = unquote(path).replace("\\", "/")
    if decoded.startswith("/"):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(lesson_rel), decoded))
    return None if joined == ".." or joined.startswith(("../", "/")) else joined


def _own_file_url(url: str) -> bool:
    """A `../files/...` URL whose path has no dot or empty segments."""
    if not FILE_URL.match(url):
        return False
    return all(part not in ("", ".", "..") for part in url[len(FILES_URL):].split("/"))


@dataclass(frozen=True)
class RenderJob:
    """Everything needed to render one lesson, as plain values (it crosses a process boundary)."""

    path: str  # for messages, relative to the content root
    rel: str  # the lesson file, relative to its course folder
    body: str
    body_line: int
    lessons: dict[str, str]  # lesson files relative to the course folder -> slug
    assets: frozenset[str]  # image files relative to the course folder


@dataclass
class Rendered:
    """A lesson's safe HTML, its table of contents, and any problems with their lines."""

    html: str = ""
    toc: str = ""
    problems: list[tuple[int | None, str]] = field(default_factory=list)


def _line_of(job: RenderJob, needle: str) -> int | None:
    index = job.body.find(needle)
    return None if index < 0 else job.body_line + job.body.count("\n", 0, index)


class _Links(Treeprocessor):
    """Points `.md` links at lesson pages and images at the course's files; reports bad ones."""

    def __init__(self, md: markdown.Markdown, job: RenderJob, out: Rendered) -> None:
        super().__init__(md)
        self.job, self.out = job, out

    def _problem(self, url: str, reason: str) -> None:
        self.out.problems.append((_line_of(self.job, url), reason))

    def _outside(self, url: str, what: str) -> None:
        self._problem(url, f"{what} '{url}' leads outside the course's own files")

    def link(self, url: str) -> str | None:
        url = ESCAPED.sub(lambda m: chr(int(m.group(1))), url)
        if CONTROL.sub("", url).startswith("//"):
            self._problem(url, f"link '{url}': protocol-relative links are not allowed")
            return None
        parts = urlsplit(url)
        if parts.scheme or url.startswith("#"):
            return url  # the sanitiser decides which schemes stay
        target = resolve_in_course(self.job.rel, parts.path)
        if target is None:
            self._outside(url, "link")
            return None
        if target in self.job.lessons:
            slug = self.job.lessons[target]
            return slug + (f"#{ID_PREFIX}{parts.fragment}" if parts.fragment else "")
        if target in self.job.assets:
            return FILES_URL + target
        self._problem(url, f"broken link '{url}': no lesson or file there")
        return None

    def image(self, url: str) -> str | None:
        url = ESCAPED.sub(lambda m: chr(int(m.group(1))), url)
        target = None if urlsplit(url).scheme else resolve_in_course(self.job.rel, url)
        if target in self.job.assets:
            return FILES_URL + target
        if target is None and not urlsplit(url).scheme:
            self._outside(url, "image")
        elif urlsplit(url).scheme:
            self._problem(url, f"image '{url}': images must be files next to the lessons")
        else:
            self._problem(url, f"broken image '{url}': no such file next to the lessons")
        return None

    def run(self, root: etree.Element) -> None:
        for el in root.iter():
            if el.tag == "a" and el.get("href") is not None:
                new = self.link(el.get("href", ""))
                if new is None:
                    del el.attrib["href"]
                else:
                    el.set("href", new)
            elif el.tag == "img":
                new = self.image(el.get("src", ""))
                if new is None:
                    el.attrib.pop("src", None)
                else:
                    el.set("src", new)
            elif el.tag == "div" and "admonition" in el.get("class", "").split():
                el.set("role", "note")
            elif el.tag == "li":
                _task_item(el)


TASK = re.compile(r"^\[([ xX])\]\s+")


def _task_item(li: etree.Element) -> None:
    """`- [ ] step` becomes a checklist item (a box drawn by CSS; nothing to submit)."""
    holder = li[0] if len(li) and li[0].tag == "p" and not (li.text or "").strip() else li
    match = TASK.match(holder.text or "")
    if match:
        holder.text = holder.text[match.end():]
        li.set("class", "task done" if match.group(1) in "xX" else "task")


class _LinkExtension(Extension):
    def __init__(self, job: RenderJob, out: Rendered) -> None:
        super().__init__()
        self.job, self.out = job, out

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        md.treeprocessors.register(_Links(md, self.job, self.out), "course-links", 1)


def _attribute(tag: str, attr: str, value: str) -> str | None:
    """Last word on every attribute nh3 keeps: fragments prefixed, URLs from our allow-list."""
    if attr == "href":
        url = value.strip()
        if url.startswith("#"):
            return url if url.startswith("#" + ID_PREFIX) else "#" + ID_PREFIX + url[1:]
        if LESSON_HREF.match(url) or SIBLING_HREF.match(url) or _own_file_url(url):
            return url
        if CONTROL.search(url) or url.startswith("//"):
            return None
        return url if urlsplit(url).scheme.lower() in SCHEMES else None
    if attr == "src":
        return value if _own_file_url(value) else None
    return value


_CLEANER = nh3.Cleaner(tags=TAGS, attributes=ATTRIBUTES, attribute_filter=_attribute,
                       url_schemes=SCHEMES, id_prefix=ID_PREFIX, strip_comments=True,
                       link_rel="noopener noreferrer")


def sanitise(html: str) -> str:
    """Apply the lesson allow-lists to an HTML fragment."""
    return _CLEANER.clean(html)


def _placeholders(html: str, tag: str) -> str:
    """Practice blocks' paragraphs (`tag` + number) become their inert placeholders."""
    return re.sub(rf"<p>{tag}(\d+)</p>", lambda m: placeholder(int(m.group(1))), html)


def _raw_html_problems(job: RenderJob, md: markdown.Markdown, out: Rendered) -> None:
    """Report raw-HTML links and images whose relative path leads outside the course (the
    sanitiser drops them; `check` names them with their line)."""
    for block in md.htmlStash.rawHtmlBlocks:
        for match in RAW_URL.finditer(str(block)):
            raw = next(g for g in match.groups() if g is not None)
            url = htmllib.unescape(raw).strip()
            parts = urlsplit(url)
            if not url or url.startswith("#") or parts.scheme or CONTROL.sub("", url)[:2] == "//":
                continue
            if resolve_in_course(job.rel, parts.path) is None:
                out.problems.append((_line_of(job, raw), f"link '{url}' leads outside the "
                                                         "course's own files"))


def render_lesson(job: RenderJob) -> Rendered:
    """Render one lesson body to safe HTML and its table of contents."""
    out = Rendered()
    md = markdown.Markdown(extensions=[*EXTENSIONS, _LinkExtension(job, out)],
                           extension_configs=EXTENSION_CONFIG, output_format="html")
    tag = "coursepractice" + hashlib.sha256(job.body.encode()).hexdigest()[:16] + "n"
    try:
        html = md.convert(replace_fences(job.body, lambda n: f"{tag}{n}"))
    except RecursionError:
        out.problems.append((None, "the lesson is nested too deeply to render; flatten its "
                                   "lists or quotes"))
        return out
    _raw_html_problems(job, md, out)
    out.html = _placeholders(sanitise(html), tag)
    toc = getattr(md, "toc", "")
    out.toc = sanitise(toc) if "<li" in toc else ""
    return out
