"""Strict YAML reading for content files: safe loading plus the line of every mapping key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from ..errors import ContentError


@dataclass
class Located:
    """A parsed YAML document and the 1-based line of each top-level key."""

    data: Any
    lines: dict[str, int]

    def line(self, key: str, default: int = 1) -> int:
        """Line of `key`, or `default` when the key is absent."""
        return self.lines.get(key, default)


def load_yaml(text: str, file: str) -> Located:
    """Parse one YAML document with the safe loader; syntax errors become a ContentError."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ContentError(file, line, f"invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise ContentError(file, None, f"invalid YAML: {exc}") from None
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
