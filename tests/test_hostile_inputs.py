"""Hostile inputs, as a tester who wants framescope to hang, crash or lie would write them.

Each test here failed before the fix it guards (issue 11): splitting, readers, output values,
field names, `predict` argument types, model folders, `report` and `render`.
"""

from __future__ import annotations

import time

import pytest

from framescope.inference.segmentation import split_sentences
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


# -- model folders: never run code, validate what is there ---------------------------------

import builtins  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402

from framescope.inference.modeling import ModelFolderError  # noqa: E402
from framescope.inference.predict import load_model  # noqa: E402


@pytest.fixture
def model_copy(tiny_model_dir, tmp_path):
    """A writable copy of the tiny model folder, to be spoilt by the test."""
    target = tmp_path / "model"
    shutil.copytree(tiny_model_dir, target)
    return target


def edit_json(path, change):
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def answer_yes_to_every_prompt(monkeypatch):
    monkeypatch.setattr(builtins, "input", lambda *a, **k: "y")
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n" * 10))


EVIL_CODE = """
import pathlib
pathlib.Path({marker!r}).write_text("ran")
from transformers import BertConfig, BertModel
class EvilConfig(BertConfig):
    model_type = "evil"
class EvilModel(BertModel):
    config_class = EvilConfig
"""


@pytest.mark.parametrize("model_type", ["evil", "bert"])
def test_a_model_folder_with_custom_code_is_refused_even_when_the_user_says_yes(
        model_copy, tmp_path, monkeypatch, model_type):
    marker = tmp_path / "code-ran"
    (model_copy / "evil.py").write_text(EVIL_CODE.format(marker=str(marker)))

    def make_evil(config):
        config["model_type"] = model_type
        config["auto_map"] = {"AutoConfig": "evil.EvilConfig", "AutoModel": "evil.EvilModel"}

    edit_json(model_copy / "config.json", make_evil)
    answer_yes_to_every_prompt(monkeypatch)
    with pytest.raises(ModelFolderError, match="config.json"):
        load_model(model_copy)
    assert not marker.exists()


def test_a_tokenizer_with_custom_code_is_refused(model_copy, monkeypatch):
    edit_json(model_copy / "tokenizer_config.json",
              lambda c: c.update(auto_map={"AutoTokenizer": ["evil.Tok", None]}))
    answer_yes_to_every_prompt(monkeypatch)
    with pytest.raises(ModelFolderError, match="tokenizer_config.json.*auto_map"):
        load_model(model_copy)


BAD_SETTINGS = {
    "labels missing": (lambda s: s.pop("labels"), "labels"),
    "extra key": (lambda s: s.update(temperature=2), "unknown key"),
    "duplicate labels": (lambda s: s.update(labels=s["labels"][:-1] + s["labels"][:1]),
                         "duplicate label"),
    "threshold above 1": (lambda s: s["thresholds"].update(coup=1.5), "coup"),
    "threshold not a number": (lambda s: s["thresholds"].update(coup="high"), "coup"),
    "threshold for no label": (lambda s: s["thresholds"].update(nope=0.5), "unknown label"),
    "labels not a list": (lambda s: s.update(labels="coup"), "labels"),
}


@pytest.mark.parametrize("case", list(BAD_SETTINGS))
def test_an_invalid_framescope_json_is_named(model_copy, case):
    change, message = BAD_SETTINGS[case]
    edit_json(model_copy / "framescope.json", change)
    with pytest.raises(ModelFolderError, match=f"framescope.json: .*{message}"):
        load_model(model_copy)


def test_framescope_json_that_is_not_json_is_named(model_copy):
    (model_copy / "framescope.json").write_text("labels: [coup]\n")
    with pytest.raises(ModelFolderError, match="framescope.json: not readable JSON"):
        load_model(model_copy)


def test_weights_of_the_wrong_shape_or_garbage_are_named(model_copy):
    def drop_last_label(settings):
        settings["thresholds"].pop(settings["labels"].pop())

    edit_json(model_copy / "framescope.json", drop_last_label)
    (model_copy / "taxonomy.yaml").unlink()  # (else its extra label is named first)
    with pytest.raises(ModelFolderError, match=r"model.safetensors: head\.(weight|bias) has shape"):
        load_model(model_copy)
    (model_copy / "model.safetensors").write_bytes(b"\x00garbage" * 100)
    with pytest.raises(ModelFolderError, match="model.safetensors: not a readable safetensors"):
        load_model(model_copy)


def test_a_tokenizer_taxonomy_or_window_that_does_not_fit_the_model_is_named(model_copy):
    """Each of these once loaded and then scored wrongly or failed mid-run."""
    taxonomy = (model_copy / "taxonomy.yaml").read_text()
    (model_copy / "taxonomy.yaml").write_text(taxonomy + "- name: extra\n  definition: x\n")
    with pytest.raises(ModelFolderError, match=r"taxonomy.yaml: its labels .* are not the model's"):
        load_model(model_copy)
    (model_copy / "taxonomy.yaml").write_text(taxonomy)

    tokenizer = (model_copy / "tokenizer.json").read_bytes()
    (model_copy / "tokenizer.json").unlink()  # transformers would build an empty vocabulary
    with pytest.raises(ModelFolderError, match="tokenizer.json: missing"):
        load_model(model_copy)
    (model_copy / "tokenizer.json").write_bytes(tokenizer)

    settings = json.loads((model_copy / "framescope.json").read_text())
    for change, message in [({"max_length": 4096}, "max_length 4096 is more than the encoder's"),
                            ({"max_length": 8, "window_stride": 7}, "window_stride 7 must be below"),
                            ({"labels": ['ter"ror', *settings["labels"][1:]], "thresholds": {}},
                             "label name.s. 'ter\"ror'")]:
        (model_copy / "framescope.json").write_text(json.dumps({**settings, **change}))
        with pytest.raises(ModelFolderError, match=message):
            load_model(model_copy)


def test_the_command_line_reports_a_bad_model_folder_without_a_traceback(model_copy, tmp_path,
                                                                         capsys):
    from framescope.cli import main

    (model_copy / "framescope.json").write_text("{")
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "Hello."}\n')
    assert main(["predict", str(source), "-o", str(tmp_path / "o.jsonl"), "--model",
                 str(model_copy), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "framescope.json: not readable JSON" in err and "Traceback" not in err


# -- readers: one bad record or file is one error record, the run goes on -------------------

import os  # noqa: E402
import pathlib  # noqa: E402

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from framescope.cli import main  # noqa: E402
from framescope.inference import batch  # noqa: E402


def predict_cli(*args):
    return main(["predict", *map(str, args), "--no-progress"])


def strict_json_lines(path):
    """Every line parsed as strict JSON: no NaN/Infinity, no lone surrogates."""
    def no_constants(name):
        raise AssertionError(f"non-standard JSON constant {name}")

    records = []
    for line in path.read_bytes().decode("utf-8").splitlines():  # strict UTF-8
        records.append(json.loads(line, parse_constant=no_constants))
    return records


def score(tmp_path, model, *inputs, **options):
    out = tmp_path / "out.jsonl"
    extra = [x for k, v in options.items() for x in (f"--{k.replace('_', '-')}", v)]
    code = predict_cli(*inputs, "-o", out, "--model", model, *extra)
    return code, strict_json_lines(out)


def test_jsonl_values_that_used_to_kill_the_run(tmp_path, tiny_model_dir):
    source = tmp_path / "hostile.jsonl"
    lines = [
        '{"id": "s1", "text": "Fine text.", "note": "bad \\ud800 half"}',  # lone surrogate
        '{"id": "s2", "text": "Broken \\udc00 text."}',
        '{"id": "big", "text": "Fine.", "n": ' + "9" * 5000 + "}",  # > 4,300 digits
        "[" * 100_000 + "]" * 100_000,  # nesting the parser cannot follow
        '{"id": "deep", "text": "Fine.", "v": ' + "[" * 150 + "]" * 150 + "}",
        '{"id": "nan", "text": "Fine.", "x": NaN, "y": [Infinity, -Infinity]}',
        '{"id": "ok", "text": "The junta seized power."}',
    ]
    source.write_text("\n".join(lines) + "\n")
    code, records = score(tmp_path, tiny_model_dir, source)
    assert code == 0 and len(records) == len(lines)
    by_id = {r["id"]: r for r in records}
    assert by_id["s1"]["note"] == "bad \ufffd half" and "error" not in by_id["s1"]
    assert by_id["s2"]["error"] == f"{source}:2: invalid UTF-8"
    assert by_id["s2"]["text"] == "Broken \ufffd text."
    assert by_id[f"{source}:3"]["error"].startswith(f"{source}:3: bad JSON: Exceeds the limit")
    assert by_id[f"{source}:4"]["error"] == f"{source}:4: bad JSON: nested too deeply"
    assert by_id[f"{source}:5"]["error"].endswith("nested more than 100 levels deep")
    assert by_id["nan"]["x"] is None and by_id["nan"]["y"] == [None, None]
    assert "error" not in by_id["nan"] and "error" not in by_id["ok"]


def test_csv_latin1_bytes_and_huge_fields(tmp_path, tiny_model_dir, monkeypatch):
    source = tmp_path / "rows.csv"
    source.write_bytes(b"id,text,place\n"
                       b"c1,The junta seized power.,Caf\xe9\n"  # Latin-1 in another column
                       b"c2,Caf\xe9 news.,Paris\n"               # Latin-1 in the text
                       b'c3,"' + b"word " * 40_000 + b'",Rome\n'  # 200,000 characters
                       b"c4,Prices rose.,Oslo\n")
    code, records = score(tmp_path, tiny_model_dir, source)
    assert code == 0 and [r["id"] for r in records] == ["c1", "c2", "c3", "c4"]
    assert records[0]["place"] == "Caf\ufffd" and "error" not in records[0]
    assert records[1]["error"] == f"{source}:3: invalid UTF-8"
    assert "error" not in records[2] and "error" not in records[3]

    import csv

    limit = csv.field_size_limit()
    monkeypatch.setattr(batch, "CSV_FIELD_CHARS", 1000)  # past the limit: that row only
    code, records = score(tmp_path, tiny_model_dir, source)
    assert csv.field_size_limit() == limit  # the process-wide limit is left as it was
    assert [r.get("error") for r in records][2] == f"{source}:4: bad CSV: field larger than field limit (1000)"
    assert [r["id"] for r in records if "error" not in r] == ["c1", "c4"]


def write_parquet(path, n, row_group_size=None):
    table = pa.table({"id": [f"p{i}" for i in range(n)],
                      "text": [f"Report {i}: the junta seized power in the capital." for i in range(n)]})
    pq.write_table(table, path, row_group_size=row_group_size, compression="snappy")
    return path


def test_broken_parquet_files_are_one_error_record_each(tmp_path, tiny_model_dir):
    folder = tmp_path / "in"
    folder.mkdir()
    good = write_parquet(folder / "a_good.parquet", 3)
    data = good.read_bytes()
    (folder / "b_truncated.parquet").write_bytes(data[: len(data) // 2])
    (folder / "c_garbage.parquet").write_bytes(os.urandom(300))
    (folder / "d_empty.parquet").write_bytes(b"")
    code, records = score(tmp_path, tiny_model_dir, folder)
    assert code == 0 and len(records) == 6
    assert [r["id"] for r in records[:3]] == ["p0", "p1", "p2"]
    for record, name in zip(records[3:], ["b_truncated", "c_garbage", "d_empty"]):
        assert record["error"].startswith(f"{folder / name}.parquet: cannot read the file (")


def test_a_corrupt_parquet_page_costs_only_its_row_group(tmp_path, tiny_model_dir):
    source = write_parquet(tmp_path / "pages.parquet", 20, row_group_size=10)
    column = pq.ParquetFile(source).metadata.row_group(0).column(1)  # text, first row group
    start = column.dictionary_page_offset or column.data_page_offset
    data = bytearray(source.read_bytes())
    data[start: start + column.total_compressed_size] = os.urandom(column.total_compressed_size)
    source.write_bytes(bytes(data))
    code, records = score(tmp_path, tiny_model_dir, source)
    assert code == 0 and len(records) == 20
    assert all("row group 0 cannot be read" in r["error"] for r in records[:10])
    assert records[0]["error"].startswith(f"{source}:row 1: ")
    assert [r["id"] for r in records[10:]] == [f"p{i}" for i in range(10, 20)]


def test_an_unreadable_file_is_one_error_record_and_the_rest_is_scored(tmp_path, tiny_model_dir,
                                                                       monkeypatch):
    locked = tmp_path / "locked.jsonl"
    locked.write_text('{"text": "Secret."}\n')
    fine = tmp_path / "fine.jsonl"
    fine.write_text('{"text": "The junta seized power."}\n')
    real_open = pathlib.Path.open

    def open_denied(self, *args, **kwargs):  # tests run as root, where chmod 000 does not bite
        if self.name == "locked.jsonl":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", open_denied)
    code, records = score(tmp_path, tiny_model_dir, locked, fine)
    assert code == 0 and len(records) == 2
    assert records[0]["error"].startswith(f"{locked}: cannot read the file (PermissionError")
    assert "error" not in records[1]


def test_input_fields_named_like_output_fields_are_kept_under_a_prefix(tmp_path, tiny_model_dir):
    source = tmp_path / "clash.jsonl"
    source.write_text(json.dumps({"id": "x1", "doc": "d1", "text": "The junta seized power.",
                                  "error": None, "spans": "theirs", "summary": {"a": 1}}) + "\n")
    code, (record,) = score(tmp_path, tiny_model_dir, source, id_field="doc")
    assert code == 0
    assert "error" not in record  # a null `error` in the input is not a failure
    assert record["input.error"] is None and record["input.spans"] == "theirs"
    assert record["input.summary"] == {"a": 1} and record["input.id"] == "x1"
    assert record["id"] == "d1" and isinstance(record["spans"], list)
    assert set(record["summary"]) == set(json.loads(
        (tiny_model_dir / "framescope.json").read_text())["labels"])


# -- predict(): clear errors at once ---------------------------------------------------------

from framescope.inference.predict import predict  # noqa: E402


@pytest.mark.parametrize("bad, message", [
    (None, "got NoneType"), (123, "got int"), (b"The junta.", "got bytes; decode it"),
    ({"text": "The junta."}, "got a dict"), (["fine", 7], r"texts\[1\] is int"),
])
def test_predict_rejects_what_is_not_text_at_once(tiny_model, bad, message):
    with pytest.raises(TypeError, match=message):
        predict(bad, tiny_model)  # raised here, not when a returned generator is consumed


def test_predict_scores_text_with_a_lone_surrogate(tiny_model):
    text = "The junta \ud800 seized power. Prices rose."
    spans = predict(text, tiny_model, threshold=0.0)
    assert spans and all(text[s.start:s.end] == s.text for s in spans)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_predict_rejects_a_bad_batch_size(tiny_model, bad):
    with pytest.raises(ValueError, match="batch_size"):
        predict("The junta seized power.", tiny_model, batch_size=bad)


def test_predict_rejects_a_nan_threshold(tiny_model):
    with pytest.raises(ValueError, match="threshold"):
        predict("The junta seized power.", tiny_model, threshold=float("nan"))


# -- report and render on what real scored files hold ---------------------------------------

from framescope.render import render_html  # noqa: E402


def scored_line(doc_id, date=None, outlet=None, label="coup", error=None):
    record = {"id": doc_id, "text": "The junta seized power.",
              "spans": [] if error else [{"start": 0, "end": 23, "text": "The junta seized power.",
                                          "label": label, "score": 0.9}],
              "summary": None if error else {"coup": {"max_score": 0.9, "spans": 1},
                                             "nazism": {"max_score": 0.1, "spans": 0}}}
    if date is not None:
        record["date"] = date
    if outlet is not None:
        record["outlet"] = outlet
    if error:
        record["error"] = error
    return json.dumps(record) + "\n"


def run_report(tmp_path, lines, *options):
    scored = tmp_path / "scored.jsonl"
    scored.write_text("".join(lines))
    out = tmp_path / "report"
    code = main(["report", str(scored), "-o", str(out), "--source-field", "outlet",
                 "--min-period-documents", "1", *options])
    return code, out


def test_report_reads_each_date_on_its_own(tmp_path):
    lines = [
        scored_line("a", "2022-01-31T23:30:00-05:00"),  # February 1st in UTC
        scored_line("b", "2022-01-15T10:00:00+03:00"),
        scored_line("c", "15 January 2022"),
        scored_line("d", "2022/02/03"),
        scored_line("e", 1643760000),                   # 2022-02-02 as epoch seconds
        scored_line("f", "1643760000"),
        scored_line("g", "not a date"),
        scored_line("h"),                               # no date at all
    ]
    code, out = run_report(tmp_path, lines)
    assert code == 0
    by_period = (out / "by_period.csv").read_text().splitlines()
    documents = {row.split(",")[0]: int(row.split(",")[1]) for row in by_period[1:]}
    assert documents == {"2022-01": 2, "2022-02": 4}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["dates_unparseable"] == 1 and summary["dates_missing"] == 1
    assert "1 documents whose `date` could not be parsed" in (out / "summary.md").read_text()


def test_report_counts_each_member_of_a_list_of_sources(tmp_path):
    code, out = run_report(tmp_path, [scored_line("a", outlet=["A", "B"]),
                                      scored_line("b", outlet="B"), scored_line("c", outlet=[])])
    assert code == 0
    rows = (out / "by_source.csv").read_text().splitlines()[1:]
    assert sorted(row.split(",")[:2] for row in rows) == [["(no source)", "1"], ["A", "1"],
                                                          ["B", "2"]]


def test_report_csv_cells_cannot_run_as_formulas(tmp_path):
    code, out = run_report(tmp_path, [scored_line("a", outlet='=HYPERLINK("http://x","y")'),
                                      scored_line("b", outlet="@SUM(A1:A9)"),
                                      scored_line("c", outlet="-cmd|' /C calc'!A0")])
    assert code == 0
    import csv

    with (out / "by_source.csv").open(newline="") as handle:
        cells = sorted(row[0] for row in list(csv.reader(handle))[1:])
    assert cells == ["'-cmd|' /C calc'!A0", '\'=HYPERLINK("http://x","y")', "'@SUM(A1:A9)"]


def test_report_of_an_empty_scored_file_is_an_empty_report(tmp_path, tiny_model_dir):
    empty_input = tmp_path / "empty.jsonl"
    empty_input.write_text("")
    scored = tmp_path / "scored.jsonl"
    assert main(["predict", str(empty_input), "-o", str(scored), "--model", str(tiny_model_dir),
                 "--no-progress"]) in (0, 1)
    assert scored.read_text() == ""
    code, out = run_report(tmp_path, [])
    assert code == 0
    assert "0 documents scored" in (out / "summary.md").read_text()
    assert json.loads((out / "summary.json").read_text())["scored"] == 0


def test_render_survives_scores_and_spans_that_are_not_what_predict_writes():
    text = "The junta seized power. Prices rose."
    docs = [{"id": "d", "text": text, "spans": [
        {"start": 0, "end": 23, "text": text[:23], "label": "coup", "score": "high"},
        {"start": 0, "end": 23, "text": text[:23], "label": "nazism", "score": None},
        {"start": 24, "end": 36, "text": text[24:], "label": "coup", "score": float("nan")},
        {"start": "x", "end": 99, "label": "coup", "score": 0.5}, "not a span"]}]
    page = render_html(docs, ["coup", "nazism"], {})
    assert page.count('<mark class="span"') == 2 and "coup ?" in page


# -- the closing check ----------------------------------------------------------------

HOSTILE_LINES = [  # (line, becomes an error record)
    ('{"id": "h%d", "text": "Bad \\ud800 text."}', True),
    ('{"id": "h%d", "text": "Fine text.", "note": "\\udc00"}', False),
    ('{"id": "h%d", "text": "Fine.", "n": ' + "7" * 4400 + "}", True),
    ("[" * 100_000 + "]" * 100_000, True),
    ('{"id": "h%d", "text": "Fine.", "x": NaN, "y": -Infinity}', False),
    ('{"id": "h%d", "text": "Caf\xe9 au lait."}', True),  # one Latin-1 byte
    ('{"id": "h%d", "text": ', True),
    ('{"id": "h%d", "text": "Fine.", "error": null, "spans": 1, "summary": "s"}', False),
    ('{"id": "h%d", "text": ["not", "text"]}', True),
    ('{"id": "h%d", "text": "' + "a" * 50_000 + '! Next one here."}', False),
]


def test_ten_thousand_records_with_five_percent_hostile(tmp_path, tiny_model_dir, capfd):
    source = tmp_path / "corpus.jsonl"
    expect_error = {}
    with source.open("wb") as handle:
        for i in range(10_000):
            if i % 20 == 19:
                line, is_error = HOSTILE_LINES[(i // 20) % len(HOSTILE_LINES)]
                line = line.replace("%d", str(i))
                handle.write(line.encode("utf-8").replace(b"\xc3\xa9", b"\xe9"))
                expect_error[i] = is_error
            else:
                handle.write(json.dumps({"id": f"r{i}", "text": f"Report {i}. The junta seized"
                                         f" power.", "outlet": "A"}).encode())
            handle.write(b"\n")
    out = tmp_path / "scored.jsonl"
    assert predict_cli(source, "-o", out, "--model", tiny_model_dir) == 0
    records = strict_json_lines(out)
    assert len(records) == 10_000
    for i, record in enumerate(records):
        if expect_error.get(i):
            assert record["error"].startswith(f"{source}:{i + 1}: "), record["error"]
        else:
            assert "error" not in record, record.get("error")
            assert isinstance(record["summary"], dict)
    assert sum(1 for r in records if "error" in r) == sum(expect_error.values())
    assert "Traceback" not in capfd.readouterr().err
