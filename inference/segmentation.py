"""Sentence segmentation with exact character offsets into the original text.

Why not one library call: blingfire is fast (about 0.25 s per MB) but reads a single newline as
a sentence break, so hard line-wrapped articles come out in fragments, and it cannot know that a
bullet list or a headline without a full stop is a unit of its own. pysbd gets abbreviations
right but costs about 11 s per MB. So we keep blingfire for the sentence decisions and add the
layout layer it lacks:

1. Split the text into *blocks*: paragraphs (blank lines), bullet items, and headline lines
   (a short line without end punctuation in a block of longer, wrapped lines).
2. Inside a block, line breaks are replaced by spaces (same length, so offsets do not move)
   before blingfire sees it.
3. A few repairs blingfire needs: never split after a title abbreviation ("Dr.", "Gen.") or
   "et al.", nor before a lower-case continuation, nor after "U.S."/"U.K." when a name follows.

Every returned `(start, end)` satisfies `text[start:end] == text[start:end].strip()` and is
non-empty, in document order, non-overlapping.
"""

from __future__ import annotations

import re

import blingfire

__all__ = ["split_sentences"]

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_BULLET = re.compile(r"[ \t]*(?:[-*•·▪◦‣●■–—]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)])[ \t]+\S")
_LINE_END_PUNCT = tuple(".!?:;,\"'”’»)…-–—")

# Abbreviations after which a full stop never ends a sentence in news text.
_NEVER_FINAL = {
    "dr", "mr", "mrs", "ms", "prof", "gen", "sen", "rep", "gov", "col", "lt", "capt", "sgt",
    "maj", "adm", "cmdr", "st", "mt", "ft", "jr", "sr", "no", "nos", "vs", "v", "al", "e.g", "i.e",
    "cf", "approx", "art", "fig", "vol", "pp", "p", "ca", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "pres", "rev", "hon", "messrs",
}
# Initialisms that end a sentence only when an ordinary sentence starter follows.
_INITIALISM = re.compile(r"(?:\b[A-Za-z]\.){2,}$")
_SENTENCE_STARTERS = {
    "the", "a", "an", "he", "she", "it", "they", "we", "i", "you", "this", "that", "these",
    "those", "there", "in", "on", "at", "but", "and", "so", "yet", "its", "his", "her", "their",
    "our", "my", "after", "before", "when", "while", "if", "as", "meanwhile", "however", "since",
    "for", "to", "of", "with", "from", "by", "no", "some", "many", "most", "all", "one", "two",
}
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return `(start, end)` character offsets of the sentences of `text`, in order."""
    spans: list[tuple[int, int]] = []
    for block_start, block_end in _blocks(text):
        spans.extend(_sentences_in_block(text, block_start, block_end))
    return spans


def _blocks(text: str) -> list[tuple[int, int]]:
    """Paragraphs, bullet items and headlines, as stripped `(start, end)` offsets."""
    blocks: list[tuple[int, int]] = []
    position = 0
    for match in list(_BLANK_LINE.finditer(text)) + [None]:
        end = match.start() if match else len(text)
        blocks.extend(_split_paragraph(text, position, end))
        if match:
            position = match.end()
    return blocks


def _split_paragraph(text: str, start: int, end: int) -> list[tuple[int, int]]:
    lines = _lines(text, start, end)
    if not lines:
        return []
    longest = max(b - a for a, b in lines)
    blocks: list[tuple[int, int]] = []
    current = lines[0]
    for index, (line_start, line_end) in enumerate(lines):
        if index == 0:
            continue
        previous = lines[index - 1]
        if _BULLET.match(text, line_start) or _is_headline(text, previous, longest):
            blocks.append(current)
            current = (line_start, line_end)
        else:
            current = (current[0], line_end)
    blocks.append(current)
    return blocks


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Non-blank lines in `text[start:end]`, stripped, as offsets."""
    lines = []
    position = start
    while position < end:
        newline = text.find("\n", position, end)
        line_end = end if newline == -1 else newline
        stripped = _strip(text, position, line_end)
        if stripped:
            lines.append(stripped)
        position = line_end + 1
    return lines


def _is_headline(text: str, line: tuple[int, int], longest: int) -> bool:
    """A short line with no closing punctuation, in a block of longer wrapped lines."""
    length = line[1] - line[0]
    return (
        longest >= 40
        and length < 0.6 * longest
        and not text[line[1] - 1].endswith(_LINE_END_PUNCT)
    )


def _strip(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and (text[start].isspace() or _is_invisible(text[start])):
        start += 1
    while end > start and (text[end - 1].isspace() or _is_invisible(text[end - 1])):
        end -= 1
    return (start, end) if start < end else None


def _is_invisible(char: str) -> bool:
    return char in "\u200b\u200c\u200d\u2060\ufeff"


def _sentences_in_block(text: str, start: int, end: int) -> list[tuple[int, int]]:
    block = text[start:end]
    flat = re.sub(r"[\r\n\t\f\v\u2028\u2029\x85]", " ", block)
    pieces = _blingfire_offsets(flat)
    merged: list[tuple[int, int]] = []
    for piece in pieces:
        if merged and _continues(flat, merged[-1], piece):
            merged[-1] = (merged[-1][0], piece[1])
        else:
            merged.append(piece)
    spans = []
    for a, b in merged:
        stripped = _strip(text, start + a, start + b)
        if stripped:
            spans.append(stripped)
    return spans


def _blingfire_offsets(flat: str) -> list[tuple[int, int]]:
    """blingfire's sentence offsets, checked; a single piece if they do not fit the text."""
    try:
        _, offsets = blingfire.text_to_sentences_and_offsets(flat)
    except Exception:  # blingfire rejects some control characters; keep the block whole
        return [(0, len(flat))]
    pieces = []
    previous_end = 0
    for a, b in offsets:
        if not (previous_end <= a < b <= len(flat)):
            return [(0, len(flat))]  # offsets in another unit (e.g. astral characters)
        pieces.append((a, b))
        previous_end = b
    if not pieces:
        return [(0, len(flat))]
    # Give every character to some piece: gaps go to the following piece.
    bounds = [0] + [a for a, _ in pieces[1:]] + [len(flat)]
    return [(bounds[i], bounds[i + 1]) for i in range(len(pieces))]


def _continues(flat: str, previous: tuple[int, int], piece: tuple[int, int]) -> bool:
    """Whether blingfire's break between `previous` and `piece` is a false one."""
    head = flat[previous[0] : previous[1]].rstrip()
    tail = flat[piece[0] : piece[1]].lstrip()
    if not tail or not head:
        return True
    first = tail[0]
    if first.islower() or first in "([{,;%" or not any(c.isalnum() for c in tail):
        return True
    match = _LAST_WORD.search(head)
    if not match:
        return False
    word = match.group(1)
    if word.lower() in _NEVER_FINAL:
        return True
    if _INITIALISM.search(head):
        next_word = re.match(r"[\w']+", tail)
        return bool(next_word) and next_word.group(0).lower() not in _SENTENCE_STARTERS
    return False
