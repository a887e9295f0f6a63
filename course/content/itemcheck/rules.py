"""The item-writing rules applied to one question, and the tallies a quiz's figures add up.

Each rule yields a warning with the question's id; the caller adds the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..quiz import Question
from .cues import (
    absolute_words,
    bracket_hints,
    has_above,
    length_ratio,
    negative_stem,
    negatives,
    overlap,
    question_sentence,
    text_length,
)

LONGEST_MARGIN = 1.25  # the key is this much longer than every other option: a cue on its own
SPREAD_LIMIT = 2.5  # longest/shortest option above this: lengths give options away
# The key is the longest option far more often than chance (above MORE times it), or far less
# (longest or tied under LESS times it, once chance expects RARE_CHANCE or more): either way
# length is a cue. A key tied for longest counts against "far less": striking out the longest
# options would strike it out too.
LONGEST_MORE, LONGEST_LESS, RARE_CHANCE = 1.5, 0.5, 4


@dataclass
class Tally:
    """Counts over a quiz's questions, for its figures line."""

    single: int = 0
    longest_key: int = 0
    longest_or_tied: int = 0  # the key is at least as long as every other option
    longest_chance: float = 0.0
    wrong_options: int = 0
    wrong_absolute: int = 0
    right_options: int = 0
    right_absolute: int = 0
    tf_true: int = 0
    tf_false: int = 0
    tf_true_absolute: int = 0
    tf_false_absolute: int = 0
    multiple: int = 0
    multiple_one_wrong: int = 0
    widest_spread: float = 1.0  # the largest longest/shortest option ratio of any question
    warnings: list[str] = field(default_factory=list)


def _quote(words: list[str]) -> str:
    return ", ".join(f"'{w}'" for w in dict.fromkeys(words))


def _choice_rules(q: Question, tally: Tally) -> list[str]:
    keys = [o.text for o in q.options if o.weight > 0]
    wrong = [o.text for o in q.options if o.weight <= 0]
    found: list[str] = []
    tally.right_options += len(keys)
    tally.wrong_options += len(wrong)
    key_abs = [w for k in keys for w in absolute_words(k)]
    wrong_abs = [w for d in wrong for w in absolute_words(d)]
    tally.right_absolute += sum(1 for k in keys if absolute_words(k))
    tally.wrong_absolute += sum(1 for d in wrong if absolute_words(d))
    if wrong_abs and not key_abs:
        found.append(f"absolute word(s) {_quote(wrong_abs)} only in wrong options")
    if any(has_above(o.text) for o in q.options):
        found.append("'all/none of the above' as an option")
    if keys and wrong and min(overlap(q.text, k) for k in keys) >= 2 and min(
            overlap(q.text, k) for k in keys) > max(overlap(q.text, d) for d in wrong):
        found.append("the correct option repeats the stem's words more than any wrong one")
    hints = bracket_hints(q.text, keys, wrong)
    if hints:
        found.append(f"hint in the stem: {', '.join(hints)}")
    ratio = length_ratio([o.text for o in q.options])
    tally.widest_spread = max(tally.widest_spread, ratio)
    if ratio > SPREAD_LIMIT:
        found.append(f"option lengths differ widely (longest/shortest {ratio:.1f})")
    return found


def _single_rules(q: Question, tally: Tally) -> list[str]:
    tally.single += 1
    tally.longest_chance += 1 / len(q.options)
    lengths = [text_length(o.text) for o in q.options]
    key = next(i for i, o in enumerate(q.options) if o.weight == max(x.weight for x in q.options))
    others = [n for i, n in enumerate(lengths) if i != key]
    if not others or lengths[key] < max(others):
        return []
    tally.longest_or_tied += 1
    if lengths[key] == max(others):
        return []
    tally.longest_key += 1
    if lengths[key] >= LONGEST_MARGIN * max(others):
        return [f"the correct option is the longest by {lengths[key] / max(others) - 1:.0%}"]
    return []


def _multiple_rules(q: Question, tally: Tally) -> list[str]:
    tally.multiple += 1
    if sum(1 for o in q.options if o.weight <= 0) == 1:
        tally.multiple_one_wrong += 1
        return ["multiple response with exactly one wrong option"]
    return []


def _truefalse_rules(q: Question, tally: Tally) -> list[str]:
    words = absolute_words(q.text)
    if q.correct:
        tally.tf_true += 1
        tally.tf_true_absolute += bool(words)
        return []
    tally.tf_false += 1
    tally.tf_false_absolute += bool(words)
    found = [f"false statement with absolute word(s) {_quote(words)}"] if words else []
    if negative_stem(q.text):
        found.append("double negative: a negative statement keyed false")
    return found


def _stem_rules(q: Question) -> list[str]:
    """Negative questions (choice types: the sentence that asks) and double negatives."""
    asking = question_sentence(q.text)
    stem_negatives = negative_stem(q.text)
    found = [f"negative stem ({_quote(stem_negatives)}): rephrase, or bold it (**not**)"
             ] if stem_negatives else []
    option_negative = any(negatives(o.text) for o in q.options)
    if len(negatives(asking)) >= 2 or (negatives(asking) and option_negative):
        found.append("double negative (in the question, or in the question and an option)")
    return found


def question_warnings(q: Question, tally: Tally) -> list[str]:
    """Every cue `q` carries, as short reasons; counts are added to `tally`."""
    found: list[str] = []
    if q.type in ("single", "multiple") and q.options:
        found += _stem_rules(q) + _choice_rules(q, tally)
        found += (_single_rules if q.type == "single" else _multiple_rules)(q, tally)
    elif q.type == "truefalse":
        found += _truefalse_rules(q, tally)
    return found


def quiz_warnings(tally: Tally) -> list[str]:
    """Cues visible only across the quiz: rates far from chance (either way), unbalanced
    keys."""
    found = []
    if tally.longest_key >= 3 and tally.longest_key > LONGEST_MORE * tally.longest_chance:
        found.append(f"the correct option is the longest in {tally.longest_key} of "
                     f"{tally.single} single-choice questions (chance: "
                     f"{tally.longest_chance:.1f})")
    elif (tally.longest_chance >= RARE_CHANCE
          and tally.longest_or_tied < LONGEST_LESS * tally.longest_chance):
        how = "never the longest, nor tied for it" if tally.longest_or_tied == 0 else (
            "rarely the longest or tied for it")
        found.append(f"the correct option is {how}: {tally.longest_or_tied} of {tally.single} "
                     f"single-choice questions (chance: {tally.longest_chance:.1f}); a guesser "
                     f"can strike out the longest option")
    wrong_rate = tally.wrong_absolute / max(1, tally.wrong_options)
    right_rate = tally.right_absolute / max(1, tally.right_options)
    if tally.wrong_absolute >= 3 and wrong_rate > 2 * right_rate:
        found.append(f"absolute words in {tally.wrong_absolute}/{tally.wrong_options} wrong "
                     f"options but {tally.right_absolute}/{tally.right_options} right ones")
    tf = tally.tf_true + tally.tf_false
    if tf >= 4 and not 1 / 3 <= tally.tf_true / tf <= 2 / 3:
        found.append(f"true/false keys unbalanced: {tally.tf_true} true, {tally.tf_false} false")
    if tally.tf_false_absolute >= 2 and tally.tf_false_absolute > 2 * tally.tf_true_absolute:
        found.append(f"absolute words in {tally.tf_false_absolute}/{tally.tf_false} false "
                     f"statements but {tally.tf_true_absolute}/{tally.tf_true} true ones")
    return found
