"""The item check (pure): each surface cue, the test-wise guesser, its estimate over draws and
attempts, bank size against the draw, lesson coverage, and the `python -m` command."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from course.content.itemcheck import check_quiz, percent
from course.content.itemcheck.__main__ import main
from course.content.itemcheck.cues import (
    absolute_words,
    bracket_hints,
    negative_stem,
    overlap,
)
from course.content.itemcheck.guesser import estimate, expected_fraction, guess
from course.content.quiz import Option, Pool, Question, Quiz
from course.content.quizyaml import load_quiz_yaml

ONE, ZERO = Decimal(1), Decimal(0)


def single(qid: str, text: str, key: str, *wrong: str, line: int = 1, **kw) -> Question:
    """A single-choice question, key first (the check never looks at positions)."""
    options = (Option(key, ONE), *(Option(w, ZERO) for w in wrong))
    return Question(qid, "single", text, line=line, options=options, **kw)


def multiple(qid: str, text: str, right: list[str], wrong: list[str], **kw) -> Question:
    share = Decimal(1) / len(right)
    options = (*(Option(r, share) for r in right), *(Option(w, Decimal("-0.5")) for w in wrong))
    return Question(qid, "multiple", text, line=kw.pop("line", 1), options=options, **kw)


def tf(qid: str, text: str, correct: bool, **kw) -> Question:
    return Question(qid, "truefalse", text, line=kw.pop("line", 1), correct=correct, **kw)


def quiz(*questions: Question, **kw) -> Quiz:
    return Quiz("c", "one", "quizzes/c/one.yaml", "Quiz", questions=questions, **kw)


def reasons(report, qid: str | None = None) -> list[str]:
    return [w.reason for w in report.warnings if qid is None or f"'{qid}'" in w.reason]


# ---------------------------------------------------------------- cues in the text
def test_absolute_words_are_whole_words_in_any_case() -> None:
    assert absolute_words("ALWAYS reply; no one waits; it Guaranteed nothing") == [
        "always", "no one", "guaranteed", "nothing"]
    assert absolute_words("Allow the usual calls; wholly different; knowledge") == []


def test_negative_stems_count_unless_bold() -> None:
    assert negative_stem("Which is NOT a sign of presence?") == ["not"]
    assert negative_stem("All of these help except which?") == ["except"]
    assert negative_stem("Which is **not** a sign of presence?") == []
    assert negative_stem("Which one doesn't help?") == ["doesn't"]
    assert negative_stem("Tom doesn't post. What should he do?") == []


def test_stem_overlap_counts_shared_content_words() -> None:
    assert overlap("How should the support team answer customers?",
                   "Answer customers in public so the team learns") == 3
    assert overlap("What helps?", "Nothing in particular") == 0


def test_bracket_hints_give_the_key_away() -> None:
    stem = "Which habit builds trust (think: helping first)?"
    assert bracket_hints(stem, ["Helping people before selling"], ["Posting daily offers"])
    assert bracket_hints("Pick one (hint: the lesson's word)", ["A"], ["B"])
    assert not bracket_hints("Which one (choose the best)?", ["Helping first"], ["Selling"])


# ---------------------------------------------------------------- per question warnings
def test_the_key_much_longer_than_every_distractor_is_flagged_with_its_line() -> None:
    q = single("long", "What should she do next?", "Read the groups where customers ask and answer "
               "their questions there", "Call more", "Wait", line=12)
    report = check_quiz(quiz(q))
    warning = next(w for w in report.warnings if "is the longest" in w.reason)
    assert warning.location == "quizzes/c/one.yaml:12"
    assert "question 'long': the correct option is the longest by" in warning.reason
    assert any("lengths differ widely" in r for r in reasons(report, "long"))
    assert report.tally.longest_key == 1 and report.tally.longest_chance == pytest.approx(1 / 3)


def test_options_of_similar_length_are_not_flagged() -> None:
    q = single("even", "What should she do next?", "Answer questions in the group",
               "Post the product brochure", "Ask her manager for leads")
    assert reasons(check_quiz(quiz(q)), "even") == []


def test_absolute_words_only_in_distractors() -> None:
    q = single("abs", "Which plan should the team follow?", "Answer buyers where they ask",
               "Post every hour without fail", "Never reply to critics")
    assert any("'every', 'never' only in wrong options" in r for r in reasons(
        check_quiz(quiz(q)), "abs"))
    balanced = single("bal", "Which plan should the team follow?", "Only answer where buyers ask",
                      "Post every hour", "Reply to critics first")
    assert not any("absolute" in r for r in reasons(check_quiz(quiz(balanced))))


def test_false_statements_with_absolute_words_and_unbalanced_keys() -> None:
    questions = [tf(f"t{i}", f"Statement {i} always holds.", False) for i in range(4)]
    report = check_quiz(quiz(*questions, tf("t9", "It helps sometimes.", False)))
    assert any("false statement with absolute word(s) 'always'" in r for r in reasons(report, "t0"))
    assert any("true/false keys unbalanced: 0 true, 5 false" in r for r in reasons(report))
    assert any("absolute words in 4/5 false statements" in r for r in reasons(report))


def test_multiple_response_with_exactly_one_wrong_option() -> None:
    q = multiple("mr", "Which help?", ["Listening", "Answering"], ["Shouting"])
    assert "multiple response with exactly one wrong option" in " ".join(
        reasons(check_quiz(quiz(q)), "mr"))
    two = multiple("mr2", "Which help?", ["Listening", "Answering"], ["Shouting", "Hiding"])
    assert not any("exactly one wrong" in r for r in reasons(check_quiz(quiz(two))))


def test_all_or_none_of_the_above() -> None:
    q = single("above", "Which help?", "All of the above", "Listening", "Answering")
    assert any("all/none of the above" in r for r in reasons(check_quiz(quiz(q)), "above"))


def test_negative_and_double_negative_stems() -> None:
    neg = single("neg", "Which is not a sign of presence?", "A logo", "Answers", "Replies")
    bold = single("bold", "Which is **not** a sign of presence?", "A logo", "Answers", "Replies")
    double = single("dbl", "Which is not a reason to avoid posting?", "Never having time",
                    "Learning", "Helping")
    report = check_quiz(quiz(neg, bold, double))
    assert any("negative stem ('not')" in r for r in reasons(report, "neg"))
    assert not any("negative stem" in r for r in reasons(report, "bold"))
    assert any("double negative" in r for r in reasons(report, "dbl"))
    story = single("story", "Two colleagues don't know how to start. What should he do first?",
                   "Help them write", "Post for them", "Wait for a course")
    assert reasons(check_quiz(quiz(story)), "story") == []  # the question itself is positive


def test_a_negative_statement_keyed_false_is_a_double_negative() -> None:
    report = check_quiz(quiz(tf("tn", "Social selling will not work here.", False),
                             tf("tp", "Social selling will not work here.", True)))
    assert any("double negative: a negative statement keyed false" in r
               for r in reasons(report, "tn"))
    assert reasons(report, "tp") == []


def test_the_key_repeating_the_stem() -> None:
    q = single("echo", "How should a support team answer customer complaints in public?",
               "The support team should answer customer complaints in public",
               "Reply privately by email", "Forward them to legal")
    assert any("repeats the stem's words" in r for r in reasons(check_quiz(quiz(q)), "echo"))


def test_a_hint_in_brackets() -> None:
    q = single("hint", "Which habit builds trust (think: helping first)?",
               "Helping people before selling", "Posting daily offers", "Buying followers")
    assert any("hint in the stem: (think: helping first)" in r
               for r in reasons(check_quiz(quiz(q)), "hint"))


def test_quiz_wide_longest_rate_against_chance() -> None:
    qs = [single(f"q{i}", "What next?", "Read where customers ask, then answer them",
                 "Call more", "Wait") for i in range(4)]
    assert any("longest in 4 of 4 single-choice questions (chance: 1.3)" in r
               for r in reasons(check_quiz(quiz(*qs))))


def length_bank(key_longest: int, n: int = 16) -> list[Question]:
    """`n` four-option questions (chance 1/4 each) of which the key is the longest in
    `key_longest`, by a margin too small to be flagged on its own; elsewhere a distractor is."""
    return [single(f"q{i}", "What should Ana do first?",
                   "Reply in the group thread" if i < key_longest else "Reply in the group",
                   "Send a price sheet", "Book a sales visit", "Ask Tom to answer it now")
            for i in range(n)]


def length_reasons(report) -> list[str]:
    return [r for r in reasons(report) if "longest" in r]


def test_the_key_never_or_rarely_the_longest_is_flagged_too() -> None:
    never = check_quiz(quiz(*length_bank(0)))
    assert never.tally.longest_key == 0 and never.tally.longest_chance == pytest.approx(4)
    assert length_reasons(never) == [
        "the correct option is never the longest, nor tied for it: 0 of 16 single-choice "
        "questions (chance: 4.0); a guesser can strike out the longest option"]
    assert length_reasons(check_quiz(quiz(*length_bank(1)))) == [
        "the correct option is rarely the longest or tied for it: 1 of 16 single-choice "
        "questions (chance: 4.0); a guesser can strike out the longest option"]
    assert length_reasons(check_quiz(quiz(*length_bank(0, 12)))) == []  # chance 3: too few


def test_a_key_tied_for_longest_cannot_be_struck_out() -> None:
    tied = [single(f"t{i}", "What should Ana do first?", "Reply in the group today",
                   "Send a price sheet", "Book a sales visit", "Ask Tom to answer it now")
            for i in range(4)]
    report = check_quiz(quiz(*tied, *length_bank(0, 12)))
    assert (report.tally.longest_key, report.tally.longest_or_tied) == (0, 4)
    assert length_reasons(report) == []


def test_the_key_longest_about_as_often_as_chance_is_not_flagged() -> None:
    for key_longest in (2, 4, 6):  # from half of chance (4.0) to 1.5 times it
        report = check_quiz(quiz(*length_bank(key_longest)))
        assert report.tally.longest_key == key_longest
        assert length_reasons(report) == []
    assert length_reasons(check_quiz(quiz(*length_bank(7)))) == [
        "the correct option is the longest in 7 of 16 single-choice questions (chance: 4.0)"]


# ---------------------------------------------------------------- the guesser
def test_single_choice_guess_prefers_long_hedged_and_rejects_absolute() -> None:
    long_key = single("a", "What next?", "Read where customers ask, then answer them",
                      "Call more", "Wait")
    assert expected_fraction(long_key) == 1
    hedged_wrong = single("b", "What next?", "Answer customers", "It usually depends on timing",
                          "Post more offers")
    assert expected_fraction(hedged_wrong) == 0
    absolute_key = single("c", "What next?", "Always answer customers first",
                          "Post offers", "Call people")
    assert expected_fraction(absolute_key) == 0


def test_ties_are_split_evenly() -> None:
    q = single("tie", "Pick", "abcd", "efgh", "ijkl", "mnop")
    assert guess(q) == ((Fraction(0), Fraction(3, 4)), (Fraction(1), Fraction(1, 4)))


def test_multiple_response_guess_drops_absolute_options_or_the_weakest() -> None:
    cued = multiple("m1", "Which help?", ["Listen to buyers", "Answer questions"],
                    ["Post every day without fail"])
    assert expected_fraction(cued) == 1
    one_wrong = multiple("m2", "Which help?", ["Listen to buyers", "Answer the questions"],
                         ["Shout"])
    assert expected_fraction(one_wrong) == 1  # the weakest is dropped: the one wrong option
    balanced = multiple("m3", "Which help?", ["Listen to buyers", "Shout"],
                        ["Answer questions", "Hide"])
    assert expected_fraction(balanced) < 1


def test_true_false_guess_and_chance_types() -> None:
    assert expected_fraction(tf("t1", "It always works.", False)) == 1
    assert expected_fraction(tf("t2", "It always works.", True)) == 0
    assert expected_fraction(tf("t3", "It helps.", True)) == 1
    matching = Question("m", "matching", "Match", pairs=(("a", "1"), ("b", "2"), ("c", "3")))
    assert expected_fraction(matching) == Fraction(1, 3)
    ordering = Question("o", "ordering", "Order", order=("a", "b", "c", "d"))
    assert expected_fraction(ordering) == Fraction(1, 4)
    assert expected_fraction(Question("s", "short", "Word?")) == 0
    assert expected_fraction(Question("n", "numeric", "How many?")) == 0


# ---------------------------------------------------------------- the estimate and its verdict
def cued_bank(n: int) -> list[Question]:
    return [single(f"g{i}", "What next?", "Read where customers ask, then answer them",
                   "Call more", "Wait") for i in range(n)]


def honest_bank(n: int) -> list[Question]:
    """Four options alike in length and tone: the guesser is left with chance (1/4)."""
    return [single(f"h{i}", "What should Ana do first?", "Reply in the group",
                   "Send a price sheet", "Book a sales visit", "Ask Tom to respond")
            for i in range(n)]


def test_a_guessable_quiz_fails_with_its_figures() -> None:
    report = check_quiz(quiz(*cued_bank(6), attempts=3))
    assert report.estimate.percent == 100
    assert report.estimate.pass_any == 1
    texts = [e.reason for e in report.errors]
    assert any("scores 100% on average, at or above the guessing_limit of 50%" in t
               for t in texts)
    assert any("guessing passes with 100% over 3 attempt(s)" in t for t in texts)
    assert report.figures.startswith("quizzes/c/one.yaml: test-wise estimate 100% (limit 50%), "
                                     "pass chance by guessing 100% over 3 attempts; "
                                     "longest-is-key 6/6 (chance 2.0)")


def test_an_honest_quiz_passes() -> None:
    report = check_quiz(quiz(*honest_bank(10), attempts=3, pass_mark=80))
    assert report.errors == ()
    assert report.estimate.percent == pytest.approx(25)
    assert 0 < report.estimate.pass_one < 0.001  # 8 of 10 right at 1/4 each
    assert report.estimate.pass_any == pytest.approx(1 - (1 - report.estimate.pass_one) ** 3)


def test_the_guessing_limit_is_per_quiz() -> None:
    bank = honest_bank(10)
    assert check_quiz(quiz(*bank, attempts=1, guessing_limit=20)).errors
    assert not check_quiz(quiz(*bank, attempts=1, guessing_limit=30)).errors


def test_unlimited_attempts_fail_when_any_attempt_can_pass() -> None:
    report = check_quiz(quiz(*honest_bank(5), pass_mark=80))
    assert any("with unlimited attempts, guessing passes sooner or later" in e.reason
               for e in report.errors)
    unguessable = [Question(f"s{i}", "short", "Which word?") for i in range(3)]
    assert not check_quiz(quiz(*unguessable, *honest_bank(1))).errors


def test_the_estimate_follows_the_draw_and_points() -> None:
    bank = cued_bank(3) + honest_bank(9)
    report = check_quiz(quiz(*bank, pools=(Pool(4),), attempts=1))
    # a uniform draw of 4 from 12: on average 1 cued question (1.0) and 3 honest ones (0.25)
    assert report.estimate.percent == pytest.approx(100 * (3 * 1 + 9 * 0.25) / 12)
    assert report.estimate.exact
    heavy = [single("big", "What next?", "Read where customers ask, then answer them", "Call",
                    "Wait", points=9), *honest_bank(3)]
    assert estimate(quiz(*heavy)).percent == pytest.approx(100 * (9 + 0.75) / 12)


def test_sampled_draws_are_deterministic_and_bounded() -> None:
    """A bank too large to enumerate is sampled (a bounded number of draws, not every form);
    its speed is the benchmark's business, not a timed test's."""
    bank = [single(f"t{i}", "Pick", "abcd", "efgh", "ijkl", tags=(f"l{i % 5}",))
            for i in range(40)]
    big = quiz(*bank, pools=tuple(Pool(2, f"l{i}") for i in range(5)), attempts=3)
    first = estimate(big)
    assert not first.exact and first.draws == 2000
    assert estimate(big) == first


# ---------------------------------------------------------------- bank and lessons
def test_a_pool_larger_than_its_tag_is_an_error_and_a_small_bank_a_warning() -> None:
    bank = [*honest_bank(4), *(single(f"x{i}", "Q", "a1", "b2", "c3", tags=("core",))
                               for i in range(2))]
    report = check_quiz(quiz(*bank, pools=(Pool(3, "core"), Pool(2)), attempts=1))
    assert any("draw: 3 question(s) tagged 'core' per attempt, but only 2 exist" in e.reason
               for e in report.errors)
    small = check_quiz(quiz(*honest_bank(8), pools=(Pool(4),), attempts=1))
    assert any("draw: 4 of 8 question(s) in the bank; keep at least 12 for fresh forms" in w.reason
               for w in small.warnings)
    whole = check_quiz(quiz(*honest_bank(3), attempts=1))
    assert any("every attempt shows the whole bank of 3" in w.reason for w in whole.warnings)


def test_earlier_pools_starving_a_later_one_is_an_error() -> None:
    tagged = [single(f"t{i}", "Q", "a1", "b2", "c3", tags=("core",)) for i in range(2)]
    report = check_quiz(quiz(*tagged, *honest_bank(2), pools=(Pool(2), Pool(2, "core")),
                             attempts=1))
    assert any("earlier pools can take the questions a later one needs" in e.reason
               for e in report.errors)


def test_a_lesson_without_questions_is_a_warning() -> None:
    q = single("a", "Q", "a1", "b2", "c3", lesson="first")
    report = check_quiz(quiz(q, attempts=1), lessons=("first", "second"))
    assert [w.reason for w in report.warnings if "lesson" in w.reason] == [
        "lesson 'second' has no question (set 'lesson: second' on its questions)"]


def test_a_draw_that_can_skip_a_lesson_is_a_warning() -> None:
    bank = [single(f"{slug}{i}", "Q", "a1", "b2", "c3", lesson=slug, tags=(slug,))
            for slug in ("first", "second") for i in range(6)]
    per_lesson = check_quiz(quiz(*bank, pools=(Pool(2, "first"), Pool(2, "second")),
                                 attempts=1), lessons=("first", "second"))
    assert not any("not drawn per tag" in w.reason for w in per_lesson.warnings)
    anywhere = check_quiz(quiz(*bank, pools=(Pool(2, "first"), Pool(2)), attempts=1),
                          lessons=("first", "second"))
    assert [w.reason for w in anywhere.warnings if "not drawn per tag" in w.reason] == [
        "lesson 'second' is not drawn per tag: an attempt may skip it (tag its questions "
        "'second' and add {tag: second, count: N} to 'draw')"]


# ---------------------------------------------------------------- settings and the command
def test_guessing_limit_is_read_from_yaml_with_a_default() -> None:
    text = ('title: Q\nmodule: one\n{extra}questions:\n  - id: a\n    type: truefalse\n'
            '    text: "It helps."\n    answer: true\n')
    assert load_quiz_yaml(text.format(extra=""), "q.yaml", "c")[0].guessing_limit == 50
    assert load_quiz_yaml(text.format(extra="guessing_limit: 35\n"), "q.yaml",
                          "c")[0].guessing_limit == 35
    quiz_, errors = load_quiz_yaml(text.format(extra="guessing_limit: 0\n"), "q.yaml", "c")
    assert quiz_ is None and "'guessing_limit' must be a whole number from 1 to 100" in str(
        errors[0])


def test_percent_never_rounds_a_risk_to_zero() -> None:
    assert percent(0) == "0%"
    assert percent(0.00000001) == "<0.01%"
    assert percent(0.000234) == "0.023%"
    assert percent(0.5) == "50%"


GUESSABLE_YAML = """title: Q
module: one
attempts: 2
questions:
  - id: a
    type: single
    text: "What next?"
    options:
      - {text: "Read where customers ask, then answer them", correct: true}
      - {text: "Never call"}
      - {text: "Wait"}
  - id: b
    type: truefalse
    text: "It always works."
    answer: false
"""


def test_the_command_prints_warnings_errors_and_figures(tmp_path, capsys) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(GUESSABLE_YAML)
    assert main([str(path)]) == 1
    out = capsys.readouterr().out
    assert f"warning: {path}:5: question 'a': the correct option is the longest by" in out
    assert f"error: {path}: guessable:" in out
    assert f"{path}: test-wise estimate 100% (limit 50%), pass chance by guessing 100% over " \
           "2 attempts" in out
    assert main(["-v", str(path)]) == 1
    assert f"guess: {path}:5: question 'a' (single): the guesser expects 100%" in (
        capsys.readouterr().out)


def test_the_command_warns_when_the_key_is_never_the_longest(tmp_path, capsys) -> None:
    item = """  - id: q{i}
    type: single
    text: "What should Ana do first?"
    options:
      - {{text: "Reply in the group", correct: true}}
      - {{text: "Send a price sheet"}}
      - {{text: "Book a sales visit"}}
      - {{text: "Ask Tom to answer it now"}}
"""
    path = tmp_path / "q.yaml"
    path.write_text("title: Q\nmodule: one\nattempts: 1\nquestions:\n"
                    + "".join(item.format(i=i) for i in range(16)))
    assert main([str(path)]) == 0
    out = capsys.readouterr().out
    assert f"warning: {path}: the correct option is never the longest, nor tied for it: 0 of " \
           "16 single-choice questions (chance: 4.0); a guesser can strike out the longest " \
           "option" in out
    assert "longest-is-key 0/16 (chance 4.0)" in out
