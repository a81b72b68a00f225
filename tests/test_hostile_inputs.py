"""Hostile inputs, as a tester who wants framescope to hang, crash or lie would write them.

Each test here failed before the fix it guards (issue 11): splitting, readers, output values,
field names, `predict` argument types, model folders, `report` and `render`.
"""

from __future__ import annotations

import time

import pytest

from framescope.inference import split_sentences
from framescope.inference.segmentation import MAX_SENTENCE_CHARS

MB = 1_000_000


def sentences(text):
    return [text[a:b] for a, b in split_sentences(text)]


def assert_valid_offsets(text, spans):
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip()
        previous_end = end


# -- splitting: linear time, bounded sentences, lower case and \r --------------------------

WORST_SHAPES = {
    # one huge "word" before the break: the abbreviation checks used to rescan it per position
    "long run then a break": "a" * MB + "! Next one here.",
    "50,000+ lines of a.": "a.\n" * (MB // 3),
    "lower-case paragraphs": ("the army seized power in the capital. prices rose again today. "
                              "officials said nothing.\n\n") * (MB // 90),
    "carriage returns only": ("KAZAKHSTAN UNREST\rTroops arrived in the city on Thursday to guard "
                              "the main buildings, officials said.\r") * (MB // 100),
}


@pytest.mark.parametrize("name", list(WORST_SHAPES))
def test_a_megabyte_of_a_worst_shape_splits_in_under_two_seconds(name):
    text = WORST_SHAPES[name]
    assert len(text) >= 0.95 * MB
    started = time.perf_counter()
    spans = split_sentences(text)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"{name}: {elapsed:.2f} s"
    assert_valid_offsets(text, spans)
    assert max(b - a for a, b in spans) <= MAX_SENTENCE_CHARS


def test_splitting_time_grows_linearly():
    def seconds(n):
        text = "a" * n + "! Next one here."
        started = time.perf_counter()
        split_sentences(text)
        return time.perf_counter() - started

    small, large = seconds(100_000), seconds(400_000)
    assert large < 0.5 or large < 12 * small  # quadratic would be 16x


def test_a_long_run_is_cut_into_windows_with_offsets_intact():
    text = "Intro. The " + ("word " * 3000) + "end. Next sentence here."
    spans = split_sentences(text)
    assert_valid_offsets(text, spans)
    assert all(b - a <= MAX_SENTENCE_CHARS for a, b in spans)
    pieces = [text[a:b] for a, b in spans]
    assert pieces[0] == "Intro." and pieces[-1] == "Next sentence here."
    assert all(not p.startswith("ord") for p in pieces)  # cut at whitespace, words whole
    covered = "".join(pieces).replace(" ", "")
    assert covered == text.replace(" ", "")  # nothing lost between windows
    no_spaces = "x" * (3 * MAX_SENTENCE_CHARS + 5)
    assert [b - a for a, b in split_sentences(no_spaces)] == [MAX_SENTENCE_CHARS] * 3 + [5]


def test_lower_case_text_is_split_into_sentences():
    text = ("the army seized power in the capital. prices rose again today! is it over? "
            "officials said nothing, e.g. no comment at 5 p.m. on monday. the airport reopened.")
    assert sentences(text) == [
        "the army seized power in the capital.", "prices rose again today!", "is it over?",
        "officials said nothing, e.g. no comment at 5 p.m. on monday.", "the airport reopened."]
    lines = "a.\n" * 1000
    assert sentences(lines) == ["a."] * 1000


def test_carriage_return_line_ends_split_like_newlines():
    text = ("KAZAKHSTAN UNREST\rTroops arrived in the city on Thursday to guard the airport and"
            " the main\rgovernment buildings, officials said on Friday morning.\r\rThen calm.")
    assert sentences(text) == [
        "KAZAKHSTAN UNREST",
        "Troops arrived in the city on Thursday to guard the airport and the main\r"
        "government buildings, officials said on Friday morning.",
        "Then calm."]
    assert sentences(text.replace("\r", "\r\n")) == [s.replace("\r", "\r\n")
                                                     for s in sentences(text)]


def test_mixed_case_text_keeps_its_lower_case_continuations():
    assert sentences('He shouted "Go!" and left. Then calm.') == [
        'He shouted "Go!" and left.', "Then calm."]
