"""Strict YAML reading for content files: safe loading within a budget, plus the line of every
mapping key.

Content files may not use anchors or aliases (`&name`, `*name`): a few hundred bytes of nested
aliases expand to gigabytes when walked (a "billion laughs"), and trainers' files never need
them. They are refused while the document is composed, before anything is expanded, and a node
and size budget bounds the rest. A UTF-8 byte-order mark at the start is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from ..errors import ContentError

Path_ = tuple[Any, ...]
MAX_YAML_BYTES = 1_000_000
MAX_YAML_NODES = 100_000
BOM = "\ufeff"


class ContentYAMLError(yaml.MarkedYAMLError):
    """A content file broke a rule of our YAML subset (aliases, size); carries its line."""


class _ContentLoader(yaml.SafeLoader):
    """The safe loader, refusing anchors and aliases and counting nodes as it composes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise ContentYAMLError(
                problem="anchors and aliases ('&name', '*name') are not allowed in content "
                        "files: write the value out in full", problem_mark=event.start_mark)
        self._nodes += 1
        if self._nodes > MAX_YAML_NODES:
            raise ContentYAMLError(problem=f"more than {MAX_YAML_NODES} values: split the file",
                                   problem_mark=event.start_mark)
        return super().compose_node(parent, index)


class _NoAliasDumper(yaml.SafeDumper):
    """Writes repeated values out in full, so what we write our own loader reads back."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(data: Any) -> str:
    """`data` as block-style YAML without anchors or aliases, keys in their given order."""
    return yaml.dump(data, Dumper=_NoAliasDumper, sort_keys=False, allow_unicode=True,
                     width=100, default_style=None)


def strip_bom(text: str) -> str:
    """`text` without a leading UTF-8 byte-order mark (editors on Windows add one)."""
    return text[1:] if text.startswith(BOM) else text


def parse_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    """The composed node tree and the plain data of one YAML document, within the budget.

    Raises yaml.YAMLError (a MarkedYAMLError, with its line, for anything located)."""
    text = strip_bom(text)
    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        raise yaml.YAMLError(f"the file is larger than {MAX_YAML_BYTES // 1_000_000} MB")
    loader: Any = _ContentLoader(text)
    if _CLoader is not None:  # libyaml: the same rules checked on its events, then composed in
        try:                  # C (8x faster); a broken file is read again by the Python loader,
            _check_events(yaml.parse(text, Loader=_CLoader))  # whose messages and lines we report
            loader.dispose()
            loader = _CLoader(text)
        except ContentYAMLError:
            loader.dispose()
            raise
        except yaml.YAMLError:
            pass
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data


_CLoader = getattr(yaml, "CSafeLoader", None)
_NODE_EVENTS = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)


def _check_events(events: Any) -> None:
    """The content loader's rules (no anchors or aliases, a node budget) over parser events,
    before anything is composed."""
    nodes = 0
    for event in events:
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise ContentYAMLError(
                problem="anchors and aliases ('&name', '*name') are not allowed in content "
                        "files: write the value out in full", problem_mark=event.start_mark)
        if isinstance(event, _NODE_EVENTS):
            nodes += 1
            if nodes > MAX_YAML_NODES:
                raise ContentYAMLError(problem=f"more than {MAX_YAML_NODES} values: split the "
                                               "file", problem_mark=event.start_mark)


def yaml_error(exc: yaml.YAMLError, file: str) -> ContentError:
    """A YAML error as a located content error."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        if isinstance(exc, ContentYAMLError):
            return ContentError(file, line, str(exc.problem))
        return ContentError(file, line, f"invalid YAML: {exc.problem or exc}")
    return ContentError(file, None, f"invalid YAML: {exc}")


@dataclass
class Located:
    """A parsed YAML document and the 1-based line of each top-level key."""

    data: Any
    lines: dict[str, int]

    def line(self, key: str, default: int = 1) -> int:
        """Line of `key`, or `default` when the key is absent."""
        return self.lines.get(key, default)


def load_yaml(text: str, file: str) -> Located:
    """Parse one YAML document with the content loader; errors become a ContentError."""
    try:
        node, data = parse_yaml(text)
    except yaml.YAMLError as exc:
        raise yaml_error(exc, file) from None
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _value in node.value:
            lines[str(key_node.value)] = key_node.start_mark.line + 1
    return Located(data, lines)


def describe_type(value: Any) -> str:
    """A trainer-friendly name of a YAML value's type, with the YAML 1.1 trap spelled out."""
    if isinstance(value, bool):
        return "a true/false value (YAML reads yes/no/on/off as booleans: put it in quotes)"
    if isinstance(value, int | float):
        return "a number (put it in quotes if it is text)"
    if value is None:
        return "empty"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def line_map(node: yaml.Node, path: Path_ = (), out: dict[Path_, int] | None = None
           ) -> dict[Path_, int]:
    """The 1-based line of every mapping key and list item, by its path in the document."""
    out = {} if out is None else out
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = (*path, str(key.value))
            out[sub] = key.start_mark.line + 1
            line_map(value, sub, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            line_map(item, (*path, i), out)
    return out


class Reader:
    """Reads values out of a parsed document, recording typed, located errors (the quiz
    schema and every question type read with it)."""

    def __init__(self, file: str, lines: dict[Path_, int], errors: list[ContentError]):
        self.file, self.lines, self.errors = file, lines, errors

    def line(self, path: Path_) -> int | None:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path)

    def error(self, path: Path_, reason: str) -> None:
        self.errors.append(ContentError(self.file, self.line(path), reason))

    def text(self, data: dict, key: str, path: Path_, required: bool = False) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.error(path, f"'{key}' is required")
            return ""
        if not isinstance(value, str):
            self.error((*path, key), f"'{key}' must be text, found {describe_type(value)}")
            return ""
        return value.strip()

    def integer(self, data: dict, key: str, path: Path_, low: int, high: int | None,
                default: Any) -> Any:
        value = data.get(key, default)
        if value is default:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < low or (
                high is not None and value > high):
            upper = f" to {high}" if high is not None else " or more"
            self.error((*path, key), f"'{key}' must be a whole number from {low}{upper}")
            return default
        return value

    def boolean(self, data: dict, key: str, path: Path_, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.error((*path, key), f"'{key}' must be true or false")
            return default
        return value

    def choice(self, data: dict, key: str, path: Path_, allowed: tuple[str, ...],
               default: str) -> str:
        value = data.get(key, default)
        if value not in allowed:
            self.error((*path, key), f"'{key}' must be one of: {', '.join(allowed)}")
            return default
        return value

    def weight(self, value: Any, path: Path_, default: int) -> Decimal:
        """A percentage from -100 to 100 as a fraction."""
        if value is None:
            value = default
        try:
            number = Decimal(str(value)) if not isinstance(value, bool) else None
        except InvalidOperation:
            number = None
        if number is None or not -100 <= number <= 100:
            self.error(path, "a weight is a percentage from -100 to 100")
            return Decimal(default) / 100
        return number / 100

    def keys(self, data: dict, allowed: set[str], path: Path_, what: str) -> None:
        for key in data:
            if key not in allowed:
                self.error((*path, str(key)), f"unknown {what} key '{key}' "
                                              f"(known: {', '.join(sorted(allowed))})")

    def number(self, value: Any, path: Path_) -> Decimal | None:
        """A number written as a YAML number or as text."""
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.error(path, "expected a number")
            return None
        try:
            return Decimal(str(value))
        except InvalidOperation:
            self.error(path, f"'{value}' is not a number")
            return None
