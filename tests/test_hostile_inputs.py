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
    with pytest.raises(ModelFolderError, match=r"model.safetensors: head\.(weight|bias) has shape"):
        load_model(model_copy)
    (model_copy / "model.safetensors").write_bytes(b"\x00garbage" * 100)
    with pytest.raises(ModelFolderError, match="model.safetensors: not a readable safetensors"):
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
