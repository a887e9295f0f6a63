"""The surface cues of a question's text (pure): absolute and hedging words, negative stems,
stem words repeated in an option, hints in brackets and option lengths.

These are the cues a test-wise reader who has not studied uses (item-writing.md, rules 3, 5
and 6). Words are matched whole and case-insensitively; the lists are deliberately short so a
warning means something.
"""

from __future__ import annotations

import re

# Absolute words: a statement using them is rarely defensible, so test-wise readers reject the
# option. "any" is left out on purpose: it is mostly neutral ("ask any teacher").
ABSOLUTE_WORDS = (
    "only", "never", "always", "every", "everyone", "everybody", "everything", "all", "none",
    "nobody", "nothing", "no one", "must", "cannot", "can't", "completely", "entirely",
    "totally", "absolutely", "guarantee", "guarantees", "guaranteed", "certainly", "impossible",
    "forever", "solely",
)
# Hedges: the moderate wording test-wise readers prefer.
HEDGE_WORDS = (
    "usually", "often", "may", "might", "some", "most", "mostly", "sometimes", "generally",
    "typically", "likely", "perhaps", "could", "partly", "depends", "tends", "tend",
)
NEGATIVE_WORDS = ("not", "except", "least", "no", "never", "none", "cannot")
ABOVE = re.compile(r"\b(?:all|none|both|neither)\s+of\s+the\s+above\b", re.IGNORECASE)
STOP_WORDS = frozenset("""
a about above after again against all also an and any are as at be because been before being
between both but by can could did do does doing down during each few for from further had has
have having he her here hers him his how i if in into is it its itself just let me more most my
no nor not of off on once only or other our ours out over own same she should so some such than
that the their them then there these they this those through to too under until up very was we
were what when where which while who whom why will with would you your yours
choose apply best following statement true false lesson
""".split())

_ABSOLUTE = re.compile(r"\b(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+")
                                           for w in ABSOLUTE_WORDS) + r")\b", re.IGNORECASE)
_HEDGE = re.compile(r"\b(?:" + "|".join(HEDGE_WORDS) + r")\b", re.IGNORECASE)
_NEGATIVE = re.compile(r"\b(?:" + "|".join(NEGATIVE_WORDS) + r")\b|\b\w+n't\b", re.IGNORECASE)
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_BRACKETS = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")
_SENTENCE = re.compile(r"(?<=[.?!])\s+")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
HINT_WORDS = frozenset({"hint", "clue", "tip"})


def _plain(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u2018", "'")


def absolute_words(text: str) -> list[str]:
    """The absolute words in `text`, lower-cased, in order of appearance."""
    return [" ".join(m.group(0).lower().split()) for m in _ABSOLUTE.finditer(_plain(text))]


def hedge_words(text: str) -> list[str]:
    """The hedging words in `text`, lower-cased."""
    return [m.group(0).lower() for m in _HEDGE.finditer(_plain(text))]


def negatives(text: str, *, count_bold: bool = True) -> list[str]:
    """The negations in `text`; with count_bold=False those inside **bold** are left out."""
    plain = _plain(text)
    if not count_bold:
        plain = _BOLD.sub(" ", plain)
    return [m.group(0).lower() for m in _NEGATIVE.finditer(plain)]


def question_sentence(stem: str) -> str:
    """The sentence of a stem that asks (the last one with a question mark, else the last):
    a scenario told before it may say "don't" without making the question negative."""
    sentences = [s for s in _SENTENCE.split(stem.strip()) if s]
    asking = [s for s in sentences if "?" in s]
    return (asking or sentences or [""])[-1]


def negative_stem(text: str) -> list[str]:
    """The unbolded negations that make a question negative: not, except, least, "n't", in the
    sentence that asks."""
    return [w for w in negatives(question_sentence(text), count_bold=False)
            if w in ("not", "except", "least") or w.endswith("n't")]


def has_above(text: str) -> bool:
    """Whether an option reads "all of the above", "none of the above" or alike."""
    return bool(ABOVE.search(text))


def content_words(text: str) -> set[str]:
    """The stem-like content words of `text`: no stop words, crudely stemmed (six letters)."""
    words = (w.removesuffix("'s") for w in _WORD.findall(_plain(text).lower()))
    return {w[:6] for w in words if len(w) > 2 and w not in STOP_WORDS}


def overlap(stem: str, option: str) -> int:
    """How many of the stem's content words the option repeats."""
    return len(content_words(stem) & content_words(option))


def bracket_hints(stem: str, keys: list[str], distractors: list[str]) -> list[str]:
    """Bracketed parts of the stem that give the answer away: they say "hint" (or "clue",
    "tip"), or share a content word with a correct option and with no wrong one."""
    wrong = set().union(*(content_words(d) for d in distractors)) if distractors else set()
    right = set().union(*(content_words(k) for k in keys)) if keys else set()
    found = []
    for match in _BRACKETS.finditer(_plain(stem)):
        inside = match.group(1) if match.group(1) is not None else match.group(2)
        words = content_words(inside)
        if words & HINT_WORDS or (words & right) - wrong:
            found.append(match.group(0))
    return found


def length_ratio(texts: list[str]) -> float:
    """The longest option's length over the shortest's (in characters, spaces collapsed)."""
    lengths = [max(1, len(" ".join(t.split()))) for t in texts]
    return max(lengths) / min(lengths) if lengths else 1.0


def text_length(text: str) -> int:
    """An option's length as a reader sees it: characters with spaces collapsed."""
    return len(" ".join(text.split()))
