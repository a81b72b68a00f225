"""framescope composes like a Unix tool: stdin in, stdout out, quiet on a closed pipe, fast and
helpful on a wrong argument."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from framescope.cli import main, threshold_option

from .conftest import write_jsonl

REPO = Path(__file__).resolve().parent.parent
ARTICLE = REPO / "data" / "examples" / "kazakhstan_csto_2022.txt"
FRAMESCOPE = [sys.executable, "-m", "framescope.cli"]


def _run(args, **kwargs):
    return subprocess.run(FRAMESCOPE + [str(a) for a in args], capture_output=True, timeout=300,
                          **kwargs)


def test_plain_text_on_stdin_gives_json_lines_on_stdout(tiny_model_dir):
    result = _run(["predict", "-", "-o", "-", "--model", tiny_model_dir],
                  input=ARTICLE.read_bytes())
    assert result.returncode == 0, result.stderr.decode()
    (line,) = result.stdout.decode().splitlines()
    record = json.loads(line)
    assert record["id"] == "stdin" and record["text"] == ARTICLE.read_text("utf-8")
    assert b"Traceback" not in result.stderr


def test_json_lines_on_stdin_without_an_input_argument(tiny_model_dir):
    lines = "".join(json.dumps({"id": i, "text": f"Sentence number {i}."}) + "\n" for i in range(5))
    result = _run(["predict", "-o", "-", "--model", tiny_model_dir, "--no-progress"],
                  input=lines.encode())
    assert result.returncode == 0, result.stderr.decode()
    assert [json.loads(l)["id"] for l in result.stdout.decode().splitlines()] == [str(i) for i in range(5)]


def test_json_lines_on_stdin_with_a_byte_order_mark_and_a_null_id(tiny_model_dir):
    """A Windows editor's BOM does not turn the records into one text; a null id is no id."""
    lines = b"\xef\xbb\xbf" + b'{"id": "a", "text": "One."}\n{"id": null, "text": "Two."}\n'
    result = _run(["predict", "-", "-o", "-", "--model", tiny_model_dir, "--no-progress"],
                  input=lines)
    assert result.returncode == 0, result.stderr.decode()
    first, second = [json.loads(l) for l in result.stdout.decode().splitlines()]
    assert first["id"] == "a" and first["text"] == "One."
    assert second["id"] == "<stdin>:2" and second["input.id"] is None


def test_a_closed_pipe_ends_quietly(tmp_path, tiny_model_dir):
    corpus = write_jsonl(tmp_path / "c.jsonl",
                         [{"id": i, "text": f"Sentence {i} is here. Another one."} for i in range(3000)])
    command = FRAMESCOPE + ["predict", str(corpus), "-o", "-", "--model", str(tiny_model_dir)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        first = process.stdout.readline()
        process.stdout.close()  # what `| head -1` does
        error = process.stderr.read()
        status = process.wait(timeout=300)
    assert json.loads(first)["id"] == "0"
    assert b"Traceback" not in error and b"BrokenPipe" not in error, error.decode()
    assert status == 141


def test_progress_and_warnings_stay_off_stdout(tmp_path, tiny_model_dir):
    corpus = write_jsonl(tmp_path / "c.jsonl", [{"id": 1, "text": "Fine."}, "{broken\n"])
    result = _run(["predict", corpus, "-o", "-", "--model", tiny_model_dir])
    out = result.stdout.decode().splitlines()
    assert len(out) == 2 and all(json.loads(line) for line in out)
    assert "c.jsonl:2: bad JSON" in result.stderr.decode()


def test_wrong_text_field_stops_at_once_listing_the_fields(tmp_path):
    corpus = write_jsonl(tmp_path / "c.jsonl", [{"id": i, "body": "Some text here.", "n": i}
                                                for i in range(2000)])
    started = time.perf_counter()
    result = _run(["predict", corpus, "-o", tmp_path / "out.jsonl"])
    elapsed = time.perf_counter() - started
    assert result.returncode == 2
    message = result.stderr.decode()
    assert "no field 'text' in the first 20 records; fields found: id, body, n" in message
    assert "--text-field body?" in message
    assert len(message.splitlines()) == 1
    assert not (tmp_path / "out.jsonl").exists() and not (tmp_path / "out.jsonl.partial").exists()
    assert elapsed < 1.5, f"{elapsed:.2f} s"  # no model, no torch: interpreter start-up only


def test_missing_output_folder_fails_before_scoring(tmp_path, capsys):
    corpus = write_jsonl(tmp_path / "c.jsonl", [{"id": 1, "text": "Fine."}])
    assert main(["predict", str(corpus), "-o", str(tmp_path / "nope" / "out.jsonl")]) == 2
    assert "output folder does not exist" in capsys.readouterr().err


def test_many_bad_records_give_twenty_warnings_and_a_summary(tmp_path, tiny_model_dir, capsys):
    records = [{"id": i, "text": "Fine."} if i % 2 else "{broken\n" for i in range(100)]
    corpus = write_jsonl(tmp_path / "c.jsonl", records)
    assert main(["predict", str(corpus), "-o", str(tmp_path / "o.jsonl"), "--model",
                 str(tiny_model_dir), "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert err.count("written with an error field") == 20
    assert "50 records could not be scored (30 more than shown): 50 x bad JSON (first at" in err


@pytest.mark.parametrize("text, expected", [("0.7", 0.7), ("coup=0.8,nazism=0.9", {"coup": 0.8, "nazism": 0.9})])
def test_threshold_option_forms(text, expected):
    assert threshold_option(text) == expected


@pytest.mark.parametrize("text, message", [("5", "outside"), ("coup=2", "outside"),
                                           ("coup", "not a number"), ("coup=0.5,=0.1", "LABEL=VALUE")])
def test_threshold_option_refuses_bad_values(text, message):
    import argparse

    with pytest.raises(argparse.ArgumentTypeError, match=message):
        threshold_option(text)


def test_unknown_label_threshold_lists_valid_labels(tmp_path, tiny_model_dir, capsys):
    assert main(["predict", str(ARTICLE), "--model", str(tiny_model_dir), "--threshold",
                 "colour=0.5"]) == 2
    assert "unknown label(s): colour (valid: foreign_interference, color_revolution" in capsys.readouterr().err


def test_help_shows_defaults_and_version(capsys):
    with pytest.raises(SystemExit):
        main(["predict", "--help"])
    assert "(default: text)" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.startswith("framescope ")


def test_render_finds_the_text_field_of_a_scored_file(tmp_path, tiny_model_dir):
    corpus = write_jsonl(tmp_path / "c.jsonl", [{"id": "x", "body": "A first sentence here. A second one."}])
    scored = tmp_path / "s.jsonl"
    assert main(["predict", str(corpus), "-o", str(scored), "--text-field", "body", "--model",
                 str(tiny_model_dir), "--threshold", "0", "--no-progress"]) == 0
    page = tmp_path / "p.html"
    assert main(["render", str(scored), "-o", str(page), "--model", str(tiny_model_dir)]) == 0
    assert "A second one." in page.read_text("utf-8")
    spans = json.loads(scored.read_text("utf-8"))["spans"]
    low = min(spans, key=lambda s: s["score"])
    assert low["score"] < 0.99
    cut = f"{low['label']}={min(1.0, low['score'] + 0.005):.4f}"
    assert main(["render", str(scored), "-o", str(page), "--model", str(tiny_model_dir),
                 "--threshold", cut]) == 0
    shown = page.read_text("utf-8")
    assert f"{low['label']} {low['score']:.2f}:" not in shown and "<mark" in shown


@pytest.mark.parametrize("module, extra", [("pandas", "analysis"), ("sklearn", "train")])
def test_a_missing_extra_names_the_pip_command(module, extra, tmp_path, monkeypatch, capsys):
    for name in [m for m in sys.modules if m == module or m.startswith(module + ".")] + [module]:
        monkeypatch.setitem(sys.modules, name, None)  # import now fails as if not installed
    scored = write_jsonl(tmp_path / "s.jsonl", [{"id": "1", "text": "x", "labels": [],
                                                 "spans": [], "summary": {}}])
    command = (["report", str(scored), "-o", str(tmp_path / "r")] if module == "pandas" else
               ["train", "--data", str(scored), "--dev", str(scored), "--out", str(tmp_path / "m")])
    monkeypatch.delitem(sys.modules, "framescope.report", raising=False)
    monkeypatch.delitem(sys.modules, "framescope.train.trainer", raising=False)
    monkeypatch.delitem(sys.modules, "framescope.train.evaluate", raising=False)
    monkeypatch.delitem(sys.modules, "framescope.train.baseline", raising=False)
    monkeypatch.delitem(sys.modules, "framescope.train.default_data", raising=False)
    assert main(command) == 2
    assert f'pip install "framescope[{extra}]"' in capsys.readouterr().err


def test_render_of_a_scored_file_names_labels_the_taxonomy_lacks(tmp_path, tiny_model_dir, capsys):
    """Drawn with the default taxonomy, spans of another model's labels would be switched off
    without a word; a string offset or a lone surrogate no longer crashes the page either."""
    text = "A first sentence here. Bad \ud800 char."
    scored = tmp_path / "s.jsonl"
    scored.write_text(json.dumps({"id": "x", "text": text, "spans": [
        {"start": "0", "end": 22, "text": text[:22], "label": "coup", "score": 0.9},
        {"start": 23, "end": len(text), "text": text[23:], "label": "coup", "score": 0.9}],
        "summary": {}}) + "\n")
    page = tmp_path / "p.html"
    assert main(["render", str(scored), "-o", str(page), "--model", str(tiny_model_dir)]) == 0
    assert page.read_text("utf-8").count('<mark class="span"') == 1
    scored.write_text(json.dumps({"id": "x", "text": text, "spans": [
        {"start": 0, "end": 22, "text": text[:22], "label": "my_label", "score": 0.9}],
        "summary": {}}) + "\n")
    assert main(["render", str(scored), "-o", str(page), "--model", str(tiny_model_dir)]) == 2
    assert "label(s) my_label, not in" in capsys.readouterr().err
