"""Sentence splitting: exact offsets, and the cases real news text throws at a splitter."""

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from framescope import split_sentences

ARTICLE = (Path(__file__).resolve().parent.parent / "data" / "examples"
           / "kazakhstan_csto_2022.txt").read_text(encoding="utf-8")


def sentences(text):
    return [text[a:b] for a, b in split_sentences(text)]


def test_hard_wrapped_article_keeps_sentences_whole():
    found = sentences(ARTICLE)
    assert found[0].startswith("A Moscow-led military detachment")
    assert found[0].endswith("Russian President Vladimir Putin said Monday.")
    coup = [s for s in found if "attempted coup" in s]
    assert len(coup) == 1 and coup[0].startswith("Speaking at the CSTO summit")
    assert "AFP contributed reporting." in found
    assert "Related article: Kazakhstan's Largest City Back Online After Clashes, Blackout" in found
    assert "https://ria.ru/20220110/kazakhstan-1767129605.html" in found


def test_abbreviations_do_not_end_sentences():
    assert sentences("He met Dr. Smith yesterday. Then he left.") == [
        "He met Dr. Smith yesterday.", "Then he left."]
    assert sentences("Smith et al. showed it in 2019. Others disagree.") == [
        "Smith et al. showed it in 2019.", "Others disagree."]
    assert sentences("Talks ended at 5 p.m. on Monday. Nothing was agreed.") == [
        "Talks ended at 5 p.m. on Monday.", "Nothing was agreed."]
    assert sentences("The U.S. President spoke to Gen. Milley. He agreed.") == [
        "The U.S. President spoke to Gen. Milley.", "He agreed."]
    assert sentences("According to Dr.\nIvanova, it works.") == ["According to Dr.\nIvanova, it works."]


def test_initialism_at_the_end_of_a_sentence_still_ends_it():
    assert sentences("He moved to the U.S. The move was hard.") == [
        "He moved to the U.S.", "The move was hard."]


def test_curly_quotes_and_lowercase_continuations():
    assert sentences("“We will not allow it,” he said. “Never.”") == [
        "“We will not allow it,” he said.", "“Never.”"]
    assert sentences('He shouted "Go!" and left.') == ['He shouted "Go!" and left.']


def test_bullets_and_headlines_are_units_of_their_own():
    text = ("KAZAKHSTAN UNREST\n"
            "Troops arrived in the city on Thursday to guard the airport and the main\n"
            "government buildings, officials said on Friday morning.\n"
            "• Protests began over fuel prices\n"
            "• The government resigned\n")
    assert sentences(text) == [
        "KAZAKHSTAN UNREST",
        "Troops arrived in the city on Thursday to guard the airport and the main\n"
        "government buildings, officials said on Friday morning.",
        "• Protests began over fuel prices",
        "• The government resigned",
    ]


def test_empty_and_blank_texts_have_no_sentences():
    assert split_sentences("") == []
    assert split_sentences(" \n\t \u200b ") == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_offsets_are_valid_ordered_and_stripped(text):
    previous_end = 0
    for start, end in split_sentences(text):
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip() and piece
        previous_end = end


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["Dr.", "U.S.", "et al.", "“Quote.”", "\n", "\n\n", "• ", "word",
                                 "Word", ".", "!", "?", " ", "\u200f", "\u200b", "😀", "p.m."]),
                max_size=60))
def test_offsets_hold_on_abbreviation_soup(parts):
    text = "".join(parts)
    previous_end = 0
    for start, end in split_sentences(text):
        assert previous_end <= start < end <= len(text)
        previous_end = end
