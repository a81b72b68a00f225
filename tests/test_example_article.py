"""The first document every user tries, scored by the shipped default model."""

from pathlib import Path

import pytest

from framescope import DEFAULT_MODEL, predict

ARTICLE = (Path(__file__).resolve().parent.parent / "data" / "examples"
           / "kazakhstan_csto_2022.txt").read_text(encoding="utf-8")

pytestmark = pytest.mark.skipif(not (DEFAULT_MODEL / "model.safetensors").is_file(),
                                reason="models/default not trained yet")


@pytest.fixture(scope="module")
def spans():
    return predict(ARTICLE)


def labels_of(spans, fragment):
    return {s.label for s in spans if fragment in s.text}


def test_colour_revolution_sentences(spans):
    for fragment in ["will not allow “color revolutions”", "color revolution scenarios",
                     "foment a “color\nrevolution”"]:
        assert "color_revolution" in labels_of(spans, fragment), fragment


KNOWN_MISS = pytest.mark.xfail(strict=True, reason=(
    "known miss of the real-text default model (issue 10, still open): it scores this reported framing below threshold where the previous model, trained on curated sentences only, caught it; strict, so the marker must go once a model catches it again"))


@KNOWN_MISS
def test_outside_forces_interfering_is_foreign_interference(spans):
    assert "foreign_interference" in labels_of(spans, "outside forces")


def test_terrorist_camps_is_terrorism(spans):
    assert "terrorism" in labels_of(spans, "terrorist camps abroad")


def test_attempted_coup_is_coup(spans):
    assert "coup" in labels_of(spans, "attempted coup d’etat")


def test_neutral_sentences_have_no_spans(spans):
    assert labels_of(spans, "AFP contributed reporting.") == set()
    assert labels_of(spans, "Oil- and uranium-producing Kazakhstan") == set()


def test_offsets_point_into_the_article(spans):
    assert spans and all(ARTICLE[s.start:s.end] == s.text for s in spans)
