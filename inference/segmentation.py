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
4. Text without any capital letter (chat logs, lower-cased scrapes) gets no help from
   blingfire, which only breaks before a capital: there we break after `. ! ?` ourselves.
5. No sentence is longer than `MAX_SENTENCE_CHARS`: a longer run (a table flattened into one
   line, 50,000 "a." lines, a minified blob) is cut into windows of text, at whitespace where
   there is some. Offsets stay exact.

Line ends may be `\n`, `\r\n` or a bare `\r` (old Mac exports). Every step looks at a bounded
neighbourhood of each break, so splitting takes time linear in the length of the text (a test
holds it to 1 MB of each known worst shape in under 2 s).

Every returned `(start, end)` satisfies `text[start:end] == text[start:end].strip()` and is
non-empty, in document order, non-overlapping.
"""

from __future__ import annotations

import itertools
import re

import blingfire

__all__ = ["split_sentences", "MAX_SENTENCE_CHARS"]

MAX_SENTENCE_CHARS = 2000
# How far around a break the repair rules look: enough for any abbreviation or initialism,
# and a bound that keeps each check constant-time however long the sentence.
_CONTEXT = 64

_ALNUM = re.compile(r"[^\W_]")
_BREAK = r"(?:\r\n|\r(?!\n)|\n)"  # one line end: \r\n counts once, never as a blank line
_LINE_BREAK = re.compile(_BREAK)
_BLANK_LINE = re.compile(_BREAK + r"[ \t\f\v]*" + _BREAK)
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
        for start, end in _sentences_in_block(text, block_start, block_end):
            spans.extend(_windows(text, start, end))
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
    for newline in itertools.chain(_LINE_BREAK.finditer(text, start, end), [None]):
        line_end = end if newline is None else newline.start()
        stripped = _strip(text, position, line_end)
        if stripped:
            lines.append(stripped)
        if newline is not None:
            position = newline.end()
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
    cased = not _lower_case_only(flat)
    pieces = _blingfire_offsets(flat) if cased else _uncased_offsets(flat)
    merged: list[tuple[int, int]] = []
    for piece in pieces:
        if merged and _continues(flat, merged[-1], piece, cased):
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


def _lower_case_only(flat: str) -> bool:
    """Letters that have a case, all in lower case (scripts without case do not count)."""
    return flat.upper() != flat and flat.lower() == flat


# In text without capitals: end punctuation, closing quotes or brackets, then a space.
_UNCASED_BREAK = re.compile(r"[.!?…]+[\"'”’»)\]]*(?= +\S)")


def _uncased_offsets(flat: str) -> list[tuple[int, int]]:
    """Pieces of a block without capital letters, cut after every `. ! ?` that a space follows.

    The repairs in `_continues` still run on these breaks (so "e.g." or "p.m." do not end a
    sentence); the lower-case rule there is skipped for them, as nothing here is upper-case.
    """
    bounds = [0] + [m.end() for m in _UNCASED_BREAK.finditer(flat)] + [len(flat)]
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if a < b]


def _windows(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """`(start, end)` itself, or cut into pieces of at most MAX_SENTENCE_CHARS characters.

    Each cut falls on the last whitespace of the window's final quarter where there is one, so
    words stay whole; a run without whitespace is cut hard.
    """
    if end - start <= MAX_SENTENCE_CHARS:
        return [(start, end)]
    windows = []
    while end - start > MAX_SENTENCE_CHARS:
        limit = start + MAX_SENTENCE_CHARS
        floor = limit - MAX_SENTENCE_CHARS // 4
        cut = max(text.rfind(space, floor, limit) for space in (" ", "\n", "\r", "\t"))
        cut = cut if cut > start else limit
        piece = _strip(text, start, cut)
        if piece:
            windows.append(piece)
        start = cut
    rest = _strip(text, start, end)
    if rest:
        windows.append(rest)
    return windows


def _continues(flat: str, previous: tuple[int, int], piece: tuple[int, int],
               cased: bool = True) -> bool:
    """Whether the break between `previous` and `piece` is a false one.

    Only the last `_CONTEXT` characters of `previous` and the first of `piece` are read, so
    a long sentence costs no more to check than a short one.
    """
    head = flat[max(previous[0], previous[1] - _CONTEXT) : previous[1]].rstrip()
    tail = flat[piece[0] : min(piece[1], piece[0] + _CONTEXT)].lstrip()
    if not tail or not head:
        return True
    first = tail[0]
    if first in "([{,;%" or not _ALNUM.search(tail):
        return True
    if first.islower() and cased:
        return True
    match = _LAST_WORD.search(head)
    if not match:
        return False
    word = match.group(1)
    if word.lower() in _NEVER_FINAL:
        return True
    if _INITIALISM.search(head):
        if not cased:  # "p.m. on monday": without capitals there is nothing to tell by
            return True
        next_word = re.match(r"[\w']+", tail)
        return bool(next_word) and next_word.group(0).lower() not in _SENTENCE_STARTERS
    return False
