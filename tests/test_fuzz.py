"""Property tests (hypothesis) over the readers, the splitter and `predict`: whatever bytes or
text come in, nothing raises, every record is accounted for, offsets stay exact, and every
output line is strict JSON."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framescope.inference.batch import Record, json_line, output_record, read_records
from framescope.inference.predict import predict
from framescope.inference.segmentation import MAX_SENTENCE_CHARS, split_sentences

FAST = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

# Text with the characters that have broken things: surrogates, \r, controls, astral symbols.
hostile_text = st.text(alphabet=st.one_of(
    st.characters(), st.sampled_from(["\ud800", "\udfff", "\r", "\n", ".", "!", " ",
                                      "a", "A", "\x00", "\u2028", "😀", '"', ","])), max_size=300)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | hostile_text,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(hostile_text, children, max_size=4),
    max_leaves=20)


def refuse_constant(name: str):
    raise AssertionError(f"non-standard JSON constant {name}")


def strict(line: str) -> None:
    """`line` is strict JSON (no NaN/Infinity) and encodes as UTF-8 (no lone surrogates)."""
    line.encode("utf-8")
    json.loads(line, parse_constant=refuse_constant)


def read_file(suffix: str, data: bytes) -> tuple[Path, list[Record]]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        return path, list(read_records([path]))


def assert_records_are_writable(records: list[Record]) -> None:
    for record in records:
        out = output_record(record, "id", [], [0.5], ["coup"]) if record.error is None else \
            output_record(record, "id")
        strict(json_line(out))


@FAST
@given(st.lists(st.one_of(
    st.binary(max_size=80),
    # raw UTF-8 (lone surrogates as invalid bytes) or ASCII with \uXXXX escapes (lone
    # surrogates as escapes that json.loads accepts); NaN and Infinity as Python writes them
    st.tuples(json_values, st.booleans()).map(lambda pair: json.dumps(
        {"text": pair[0], "x": pair[0]}, ensure_ascii=pair[1]).encode("utf-8", "surrogatepass"))),
    max_size=12))
def test_jsonl_reader_accounts_for_every_line(lines):
    data = b"\n".join(line.replace(b"\n", b" ") for line in lines) + b"\n"
    path, records = read_file(".jsonl", data)
    expected = sum(1 for line in data.split(b"\n") if line.strip())
    assert len(records) == expected
    assert all(r.error is None or r.where.startswith(f"{path}:") for r in records)
    assert_records_are_writable(records)


@FAST
@given(st.binary(max_size=600))
def test_csv_reader_never_raises_and_writes_strict_json(data):
    _, records = read_file(".csv", b"id,text,other\n" + data)
    assert_records_are_writable(records)


@FAST
@given(st.binary(max_size=300))
def test_garbage_parquet_is_one_error_record(data):
    path, records = read_file(".parquet", data)
    assert len(records) == 1 and records[0].error.startswith("cannot read the file")


@FAST
@given(json_values)
def test_any_json_value_in_a_field_is_written_as_strict_json(value):
    record = Record("f:1", {"id": "a", "text": "Fine.", "v": value})
    from framescope.inference.batch import _json_safe_record

    assert_records_are_writable([_json_safe_record(record)])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a", "A", "aaaa", ".", "!", "?", " ", "\n", "\r", "\r\n",
                                 "\n\n", "e.g.", "U.S.", "Dr.", "- ", "“", "”", "😀", "\t"]),
                max_size=200),
       st.integers(min_value=0, max_value=3 * MAX_SENTENCE_CHARS))
def test_splitter_offsets_hold_on_hostile_shapes(parts, run):
    text = "".join(parts) + "b" * run + "".join(reversed(parts))
    previous_end = 0
    for start, end in split_sentences(text):
        assert previous_end <= start < end <= len(text)
        assert end - start <= MAX_SENTENCE_CHARS
        assert text[start:end] == text[start:end].strip()
        previous_end = end


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(hostile_text, min_size=1, max_size=4))
def test_predict_gives_exact_offsets_for_any_text(tiny_model, texts):
    for text, spans in zip(texts, predict(texts, tiny_model, threshold=0.0)):
        for span in spans:
            assert text[span.start:span.end] == span.text
