"""`predict`: documents in, scored spans out.

    from framescope import predict
    spans = predict("The junta in Kyiv ...")            # one text  -> list[Span]
    many = predict(["text one", "text two"])            # a list    -> list[list[Span]]
    stream = predict(line for line in open("big.txt"))  # iterable  -> iterator of list[Span]

A span is one sentence whose score for a label reaches that label's threshold; a sentence
that carries two framings gives two spans. `text[span.start:span.end] == span.text` always.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Iterator, Union

import numpy as np

from ..resources import DEFAULT_MODEL
from .modeling import FramingModel
from .precision import choose_precision
from .segmentation import split_sentences

__all__ = ["Span", "SentenceScores", "predict", "load_model", "score_sentences", "DEFAULT_MODEL"]

# Texts are scored in chunks: enough sentences to fill batches, few enough to stream.
CHUNK_TEXTS = 256
CHUNK_SENTENCES = 2048


@dataclass(frozen=True)
class Span:
    """A sentence that carries a framing: offsets into the original text, label and score."""

    start: int
    end: int
    text: str
    label: str
    score: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class SentenceScores:
    """Every label's score for one sentence, for users who set their own cut-offs."""

    start: int
    end: int
    text: str
    scores: dict[str, float]

    def to_dict(self) -> dict:
        return asdict(self)


ModelLike = Union[FramingModel, str, Path, None]


@functools.lru_cache(maxsize=4)
def _cached_model(path: str, device: str | None, precision: str) -> FramingModel:
    return load_model(path, device=device, precision=precision)


def load_model(path: str | Path = DEFAULT_MODEL, *, device: str | None = None,
               precision: str = "auto") -> FramingModel:
    """Load a model folder. `precision`: "auto" (fastest mode the hardware runs safely),
    "fp32" or "bf16"."""
    model = FramingModel.from_pretrained(path, device=device)
    return model.set_precision(choose_precision(precision, model.device.type))


def _resolve(model: ModelLike, device: str | None) -> FramingModel:
    if isinstance(model, FramingModel):
        if device:
            model.to(device)
        return model
    path = str(Path(model or DEFAULT_MODEL).resolve())
    return _cached_model(path, device, "auto")


def predict(
    texts: str | Iterable[str],
    model: ModelLike = None,
    *,
    threshold: float | dict[str, float] | None = None,
    batch_size: int | None = None,
    device: str | None = None,
):
    """Scored spans for one text, a list of texts, or a stream of texts.

    `model`: a loaded `FramingModel`, a model folder, or None for the shipped default (loaded
    once and cached). `threshold`: one cut-off for all labels, or a dict per label; by default
    each label's calibrated threshold. Returns `list[Span]` for a string, `list[list[Span]]`
    for a list or tuple, and a lazy iterator of `list[Span]` for any other iterable.
    """
    _check_texts(texts)
    size = _batch_size(batch_size)
    framing_model = _resolve(model, device)
    cut = thresholds_array(framing_model, threshold)
    if isinstance(texts, str):
        return next(_spans_stream([texts], framing_model, cut, size))
    if isinstance(texts, (list, tuple)):
        return list(_spans_stream(texts, framing_model, cut, size))
    return _spans_stream(texts, framing_model, cut, size)


def score_sentences(texts: str | Iterable[str], model: ModelLike = None, *,
                    batch_size: int | None = None, device: str | None = None):
    """Every label's score for every sentence (no threshold), same return forms as `predict`."""
    _check_texts(texts)
    size = _batch_size(batch_size)
    framing_model = _resolve(model, device)
    if isinstance(texts, str):
        return next(_scores_stream([texts], framing_model, size))
    if isinstance(texts, (list, tuple)):
        return list(_scores_stream(texts, framing_model, size))
    return _scores_stream(texts, framing_model, size)


def _check_texts(texts) -> None:
    """Fail now, with a clear message, on what is not a text or texts. Without this, None or
    a number failed later with a misleading message, bytes scored numbers and a dict scored
    its keys."""
    if isinstance(texts, str):
        return
    if isinstance(texts, (bytes, bytearray, memoryview)):
        raise TypeError("expected a string or an iterable of strings, got bytes; decode it "
                        "first, e.g. data.decode('utf-8')")
    if isinstance(texts, dict):
        raise TypeError("expected a string or an iterable of strings, got a dict; pass its "
                        "text, e.g. record['text']")
    if not isinstance(texts, Iterable):
        raise TypeError(f"expected a string or an iterable of strings, got "
                        f"{type(texts).__name__}")
    if isinstance(texts, (list, tuple)):
        for index, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"texts[{index}] is {type(text).__name__}, not a string")


def _batch_size(batch_size) -> int:
    if batch_size is None:
        return 64
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, not {batch_size!r}")
    return batch_size


def check_threshold_labels(threshold: dict, labels: list[str]) -> None:
    """Per-label thresholds must name labels the model knows; the error lists them."""
    unknown = sorted(set(threshold) - set(labels))
    if unknown:
        raise ValueError(f"threshold for unknown label(s): {', '.join(unknown)} "
                         f"(valid: {', '.join(labels)})")


def thresholds_array(model: FramingModel, threshold) -> np.ndarray:
    if threshold is None:
        chosen = model.thresholds
    elif isinstance(threshold, dict):
        check_threshold_labels(threshold, model.labels)
        chosen = {**model.thresholds, **threshold}
    else:
        chosen = {label: threshold for label in model.labels}
    for label, value in chosen.items():  # above 1 turns a label off; NaN would turn it off silently
        if (isinstance(value, bool) or not isinstance(value, (int, float, np.floating))
                or value != value):
            raise ValueError(f"threshold for {label} must be a number, not {value!r}")
    return np.array([chosen[label] for label in model.labels], dtype=np.float32)


def _prepared_chunks(texts: Iterable[str], model: FramingModel):
    """The CPU side of scoring, chunk by chunk: `(texts, sentence offsets, encoded sentences
    (token windows, and a blended model's lexical scores: `EncodedBatch`), number of sentences)`."""
    iterator = iter(texts)
    while True:
        chunk, offsets, sentences = [], [], []
        for text in iterator:
            if not isinstance(text, str):
                raise TypeError(f"expected a string, got {type(text).__name__}")
            spans = split_sentences(text)
            chunk.append(text)
            offsets.append(spans)
            sentences.extend(text[a:b] for a, b in spans)
            if len(chunk) >= CHUNK_TEXTS or len(sentences) >= CHUNK_SENTENCES:
                break
        if not chunk:
            return
        yield chunk, offsets, model.encode(sentences), len(sentences)


def _in_background(items: Iterator, depth: int = 2) -> Iterator:
    """`items`, produced by a thread up to `depth` ahead of the consumer.

    Sentence splitting and the Rust tokenizer release the GIL for much of their work, so on a
    GPU the next chunk is prepared while the current one is scored. Errors reach the consumer;
    a consumer that stops early stops the thread.
    """
    import queue
    import threading

    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def offer(entry) -> bool:
        """Put `entry` once there is room; False if the consumer has gone."""
        while not stop.is_set():
            try:
                ready.put(entry, timeout=0.1)
                return True
            except queue.Full:
                pass
        return False

    def produce() -> None:
        try:
            for item in items:
                if not offer((item, None)):
                    return
            offer((done, None))
        except BaseException as error:  # handed to the consumer, raised there
            offer((done, error))

    threading.Thread(target=produce, name="framescope-prepare", daemon=True).start()
    try:
        while True:
            item, error = ready.get()
            if error is not None:
                raise error
            if item is done:
                return
            yield item
    finally:
        stop.set()


def scored_chunks(texts: Iterable[str], model: FramingModel, batch_size: int,
                  prefetch: bool | None = None):
    """Yield `(text, sentence offsets, scores)` per text, scoring chunks of texts together.

    `prefetch` (default: on for a GPU, off on CPU, where the thread would take cores from the
    model) prepares the next chunk in a background thread while this one is scored.
    """
    if prefetch is None:
        prefetch = model.device.type == "cuda"
    prepared = _prepared_chunks(texts, model)
    if prefetch:
        prepared = _in_background(prepared)
    for chunk, offsets, encoded, n_sentences in prepared:
        scores = model.scores_from_windows(encoded, n_sentences, batch_size)
        position = 0
        for text, spans in zip(chunk, offsets):
            yield text, spans, scores[position : position + len(spans)]
            position += len(spans)


def document_results(texts: Iterable[str], model: FramingModel, cut: np.ndarray,
                     batch_size: int) -> Iterator[tuple[list[Span], np.ndarray]]:
    """Per text: its spans at the cut-offs `cut`, and each label's highest sentence score."""
    labels = model.labels
    for text, offsets, scores in scored_chunks(texts, model, batch_size):
        spans = []
        for (start, end), row in zip(offsets, scores):
            for j in np.flatnonzero(row >= cut):
                spans.append(Span(start, end, text[start:end], labels[j], round(float(row[j]), 6)))
        best = scores.max(axis=0) if len(scores) else np.zeros(len(labels), dtype=np.float32)
        yield spans, best


def _spans_stream(texts, model, cut, batch_size) -> Iterator[list[Span]]:
    for spans, _ in document_results(texts, model, cut, batch_size):
        yield spans


def _scores_stream(texts, model, batch_size) -> Iterator[list[SentenceScores]]:
    labels = model.labels
    for text, offsets, scores in scored_chunks(texts, model, batch_size):
        yield [
            SentenceScores(a, b, text[a:b], {l: round(float(s), 6) for l, s in zip(labels, row)})
            for (a, b), row in zip(offsets, scores)
        ]
