"""`predict` and `load_model`: the forms users call, exact offsets, batching, long sentences."""

import json
import types

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from framescope import SentenceScores, Span, predict, score_sentences

TEXT = ("The junta in Kyiv seized power by force. Bread prices rose slightly.\n\n"
        "Secret laboratories are brewing germ weapons, Dr. Smith et al. claim.")


def test_one_text_gives_spans_with_exact_offsets(tiny_model):
    spans = predict(TEXT, tiny_model, threshold=0.0)
    assert spans and all(isinstance(s, Span) for s in spans)
    assert all(TEXT[s.start:s.end] == s.text for s in spans)
    assert [s.start for s in spans] == sorted(s.start for s in spans)  # document order
    assert len(spans) == 3 * len(tiny_model.labels)  # threshold 0: every label on every sentence
    json.dumps([s.to_dict() for s in spans])  # plain, serialisable data


def test_list_in_list_out_and_iterables_stream(tiny_model):
    texts = [TEXT, "", "Another sentence."]
    as_list = predict(texts, tiny_model, threshold=0.3)
    assert isinstance(as_list, list) and len(as_list) == 3 and as_list[1] == []

    consumed = []

    def generate():
        for text in texts:
            consumed.append(text)
            yield text

    stream = predict(generate(), tiny_model, threshold=0.3)
    assert isinstance(stream, types.GeneratorType) and consumed == []  # lazy
    assert list(stream) == as_list


def test_thresholds_default_to_the_models_and_can_be_set(tiny_model):
    everything = score_sentences(TEXT, tiny_model)
    assert all(isinstance(s, SentenceScores) for s in everything)
    expected = {(s.start, label) for s in everything for label, score in s.scores.items()
                if score >= tiny_model.thresholds[label]}
    assert {(s.start, s.label) for s in predict(TEXT, tiny_model)} == expected
    assert predict(TEXT, tiny_model, threshold=1.01) == []
    only_coup = predict(TEXT, tiny_model, threshold={**{l: 1.01 for l in tiny_model.labels},
                                                     "coup": 0.0})
    assert {s.label for s in only_coup} == {"coup"}


def test_scores_do_not_depend_on_batch_mates(tiny_model):
    sentences = [f"Sentence number {i} says {'something ' * (i % 7)}." for i in range(40)]
    alone = np.vstack([tiny_model.predict_proba([s]) for s in sentences])
    together = tiny_model.predict_proba(sentences, batch_size=16)
    assert np.abs(alone - together).max() < 1e-5


def test_long_sentence_is_scored_in_windows_not_truncated(tiny_model):
    # the tiny model's window is 24 tokens: put a distinctive tail far past it
    long_sentence = "word " * 60 + "Secret laboratories are brewing germ weapons."
    windows = tiny_model.tokenizer(long_sentence, truncation=True, max_length=24, stride=8,
                                   return_overflowing_tokens=True)["input_ids"]
    assert len(windows) > 3
    assert "weapons" in tiny_model.tokenizer.decode(windows[-1])  # the tail is read
    per_window = np.vstack([tiny_model._score_windows([w], 1) for w in windows])
    score = tiny_model.predict_proba([long_sentence])[0]
    assert np.allclose(score, per_window.max(axis=0), atol=1e-6)  # a label's best window wins


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_unicode_never_breaks_offsets(tiny_model, text):
    for span in predict(text, tiny_model, threshold=0.0):
        assert 0 <= span.start < span.end <= len(text)
        assert text[span.start:span.end] == span.text


def test_awkward_inputs(tiny_model):
    weird = ["", "   \n\t", "\u200b\u200b", "مرحبا بالعالم. هذه جملة.", "\u202eevil\u202c text.",
             "😀" * 50, "x" * 5000]
    for text, spans in zip(weird, predict(weird, tiny_model, threshold=0.0)):
        assert all(text[s.start:s.end] == s.text for s in spans)
    assert predict(weird[:3], tiny_model, threshold=0.0) == [[], [], []]


def test_a_megabyte_string(tiny_model):
    text = ("The army took over the station. " * 40 + "\n\n") * 800  # ~1 MB
    spans = predict(text, tiny_model, threshold=0.99)
    assert all(text[s.start:s.end] == s.text for s in spans)


def test_preparing_the_next_chunk_in_a_thread_changes_nothing(tiny_model):
    # On a GPU the next chunk is split and tokenised in a background thread; forcing that path
    # on CPU must give the same scores, pass errors through, and stop when the reader stops.
    import pytest

    from framescope.inference.predict import scored_chunks

    texts = [f"Report {i}. " + "The junta seized power. " * (i % 4) for i in range(700)]
    serial = list(scored_chunks(texts, tiny_model, 16, prefetch=False))
    threaded = list(scored_chunks(texts, tiny_model, 16, prefetch=True))
    assert [(t, o) for t, o, _ in threaded] == [(t, o) for t, o, _ in serial]
    assert all(np.array_equal(a, b) for (_, _, a), (_, _, b) in zip(serial, threaded))

    with pytest.raises(TypeError, match="expected a string"):
        list(scored_chunks(["Fine.", 7], tiny_model, 16, prefetch=True))
    first = next(scored_chunks(iter(texts), tiny_model, 16, prefetch=True))
    assert first[0] == texts[0]
