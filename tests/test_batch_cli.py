"""`framescope predict` on corpora: nothing lost, errors named, atomic output, exact resume."""

import json
import os
import signal
import subprocess
import sys
import time

import pyarrow.parquet as pq
import pytest

from framescope.cli import main

from .conftest import write_jsonl


def run(*args):
    return main(["predict", *map(str, args), "--no-progress"])


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


WORDS = "officers seized the state broadcaster while foreign agents watched".split()


def corpus_with_corruption(path, n, every=20):
    """n records; every `every`-th line is broken in one of five ways (5% by default)."""
    broken = ['{"id": "b%d", "text": ', '{"id": "b%d"}', '{"id": "b%d", "text": ""}',
              '{"id": "b%d", "text": 7}', '\xff{"id": "b%d"}']
    with path.open("wb") as handle:
        for i in range(n):
            if i % every == every - 1:
                line = broken[(i // every) % len(broken)] % i
                handle.write(line.encode("utf-8", "surrogateescape").replace(b"\xc3\xbf", b"\xff"))
            else:
                middle = " ".join(WORDS[: 2 + (i * 7) % 9] * (1 + i % 3))  # lengths vary
                record = {"id": f"r{i}", "text": f"Report {i}. The junta seized power. {middle}.",
                          "outlet": f"outlet-{i % 3}"}
                handle.write(json.dumps(record).encode())
            handle.write(b"\n")
    return path


def test_ten_thousand_records_with_five_percent_corrupted(tmp_path, tiny_model_dir, capsys):
    source = corpus_with_corruption(tmp_path / "corpus.jsonl", 10_000)
    out = tmp_path / "scored.jsonl"
    assert run(source, "-o", out, "--model", tiny_model_dir) == 0
    records = read_jsonl(out)
    assert len(records) == 10_000
    errors = [r for r in records if "error" in r]
    assert len(errors) == 500
    assert all(r["error"].startswith(f"{source}:") for r in errors)
    assert {r["error"].split(": ", 1)[1].split(" ")[0] for r in errors} >= {
        "bad", "missing", "empty", "text", "invalid"}
    good = [r for r in records if "error" not in r]
    assert good[0]["id"] == "r0" and good[0]["outlet"] == "outlet-0"  # input fields kept
    assert set(good[0]["summary"]) == set(json.loads(
        (tiny_model_dir / "framescope.json").read_text())["labels"])
    assert "corpus.jsonl:20: bad JSON" in capsys.readouterr().err
    assert not (tmp_path / "scored.jsonl.partial").exists()


def test_killed_run_resumes_without_duplicates_or_gaps(tmp_path, tiny_model_dir):
    source = corpus_with_corruption(tmp_path / "corpus.jsonl", 30_000)
    reference = tmp_path / "reference.jsonl"
    assert run(source, "-o", reference, "--model", tiny_model_dir) == 0

    out = tmp_path / "scored.jsonl"
    partial = tmp_path / "scored.jsonl.partial"
    command = [sys.executable, "-m", "framescope.cli", "predict", str(source), "-o", str(out),
               "--model", str(tiny_model_dir), "--no-progress"]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and (not partial.exists() or partial.stat().st_size < 200_000):
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not out.exists(), "output must not appear before the run completes"
    assert 0 < partial.stat().st_size
    with partial.open("ab") as handle:
        handle.write(b'{"id": "torn')  # a half-written line, as a kill mid-write leaves

    # Another batch size pads batches differently, so scores could differ in the last digits.
    other = subprocess.run(command + ["--resume", "--batch-size", "3"], capture_output=True, text=True)
    assert other.returncode == 2 and "other inputs or settings (batch_size)" in other.stderr

    resumed = subprocess.run(command + ["--resume"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming:" in resumed.stderr
    assert out.read_bytes() == reference.read_bytes()
    assert "(1500 with errors)" in resumed.stderr  # the kept records' errors are counted too


def test_resume_refuses_a_partial_file_from_other_inputs(tmp_path, tiny_model_dir, capsys):
    first = write_jsonl(tmp_path / "a.jsonl", [{"text": "One."}])
    second = write_jsonl(tmp_path / "b.jsonl", [{"text": "Two."}])
    out = tmp_path / "out.jsonl"
    (tmp_path / "out.jsonl.partial").write_text("")
    (tmp_path / "out.jsonl.partial.json").write_text(json.dumps({"inputs": [str(first)]}))
    assert run(second, "-o", out, "--model", tiny_model_dir, "--resume") == 2
    assert "other inputs or settings" in capsys.readouterr().err


def test_parquet_csv_and_txt_inputs_to_parquet(tmp_path, tiny_model_dir):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "one.txt").write_text("The junta seized power. Prices rose.")
    (tmp_path / "docs" / "two.txt").write_bytes(b"bad \xff bytes")
    csv_file = tmp_path / "rows.csv"
    csv_file.write_text('doc,body,date\nc1,"Officers staged a coup.",2020-01-05\nc2,,2020-02-01\n')
    out = tmp_path / "scored.parquet"
    assert run(tmp_path / "docs", "-o", out, "--model", tiny_model_dir) == 0
    table = pq.read_table(out).to_pylist()
    assert [r["id"] for r in table] == ["one.txt", "two.txt"]
    assert table[1]["error"].endswith("invalid UTF-8") and table[0]["error"] is None

    out_csv = tmp_path / "csv.parquet"
    assert run(csv_file, "-o", out_csv, "--model", tiny_model_dir, "--text-field", "body",
               "--id-field", "doc") == 0
    rows = pq.read_table(out_csv).to_pylist()
    assert [r["id"] for r in rows] == ["c1", "c2"]
    assert rows[0]["date"] == "2020-01-05" and rows[1]["error"].endswith("empty text")
    assert rows[0]["summary"]["coup"]["max_score"] >= 0


def test_exit_codes(tmp_path, tiny_model_dir):
    assert run(tmp_path / "missing.jsonl", "-o", tmp_path / "o.jsonl") == 2
    good = write_jsonl(tmp_path / "g.jsonl", [{"text": "Fine."}])
    assert run(good, "-o", tmp_path / "o.csv", "--model", tiny_model_dir) == 2
    only_bad = write_jsonl(tmp_path / "bad.jsonl", ["{nope\n", '{"text": ""}\n'])
    out = tmp_path / "o.jsonl"
    assert run(only_bad, "-o", out, "--model", tiny_model_dir) == 1
    assert len(read_jsonl(out)) == 2  # still one record per input record


def test_span_table_on_the_terminal(tmp_path, tiny_model_dir, capsys):
    doc = tmp_path / "a.txt"
    doc.write_text("The junta seized power.")
    assert run(doc, "--model", tiny_model_dir, "--threshold", "0") == 0
    printed = capsys.readouterr().out
    assert "a.txt" in printed and "The junta seized power." in printed


def test_two_workers_write_what_one_worker_writes(tmp_path, tiny_model_dir):
    source = corpus_with_corruption(tmp_path / "corpus.jsonl", 1_500)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert run(source, "-o", one, "--model", tiny_model_dir) == 0
    assert run(source, "-o", two, "--model", tiny_model_dir, "--workers", "2") == 0
    assert two.read_bytes() == one.read_bytes()


def test_a_files_scores_do_not_depend_on_the_other_files_in_the_run(tmp_path, tiny_model_dir):
    # Sentences of very different lengths, so that padding (batch composition) changes the last
    # digits of bf16 scores if chunks of records ever mixed two files.
    files = []
    for name, n in [("a", 300), ("b", 200)]:
        records = [{"id": f"{name}{i}", "text": " ".join(WORDS[: 2 + (i * 7) % 9] * (1 + i % 5)) + "."}
                   for i in range(n)]
        files.append(write_jsonl(tmp_path / f"{name}.jsonl", records))
    together, a, b = tmp_path / "ab.jsonl", tmp_path / "a-out.jsonl", tmp_path / "b-out.jsonl"
    common = ["--model", tiny_model_dir, "--precision", "bf16"]
    assert run(*files, "-o", together, *common) == 0
    assert run(files[0], "-o", a, *common) == 0
    assert run(files[1], "-o", b, *common) == 0
    assert together.read_bytes() == a.read_bytes() + b.read_bytes()


def test_parquet_dates_decimals_and_bytes_are_written_as_text(tmp_path, tiny_model_dir):
    import datetime
    import decimal

    import pyarrow as pa

    source = tmp_path / "typed.parquet"
    pq.write_table(pa.table({
        "text": ["The junta seized power."], "published": [datetime.datetime(2022, 1, 7, 9, 30)],
        "day": [datetime.date(2022, 1, 7)], "price": [decimal.Decimal("1.50")],
        "raw": [b"\xff\x00"], "tags": [["a", "b"]],
    }), source)
    out = tmp_path / "typed.jsonl"
    assert run(source, "-o", out, "--model", tiny_model_dir) == 0
    record = read_jsonl(out)[0]
    assert record["published"] == "2022-01-07T09:30:00" and record["day"] == "2022-01-07"
    assert record["price"] == "1.50" and record["raw"] == "/wA=" and record["tags"] == ["a", "b"]
    assert "error" not in record


def test_a_byte_order_mark_from_excel_is_not_part_of_the_first_field(tmp_path, tiny_model_dir):
    bom = b"\xef\xbb\xbf"
    (tmp_path / "a.csv").write_bytes(bom + b'text,id\n"The junta seized power.",c1\n')
    (tmp_path / "b.jsonl").write_bytes(bom + b'{"text": "Prices rose.", "id": "j1"}\n')
    out = tmp_path / "o.jsonl"
    assert run(tmp_path / "a.csv", tmp_path / "b.jsonl", "-o", out, "--model", tiny_model_dir) == 0
    assert [("error" in r, r["id"]) for r in read_jsonl(out)] == [(False, "c1"), (False, "j1")]


def test_a_csv_row_with_more_cells_than_its_header_is_an_error_record(tmp_path, tiny_model_dir):
    """An unquoted comma would otherwise score half a sentence as if it were the text."""
    source = tmp_path / "rows.csv"
    source.write_text('id,text\na,The coup, they say, was staged.\nb,"Fine, quoted."\n')
    out = tmp_path / "o.jsonl"
    assert run(source, "-o", out, "--model", tiny_model_dir) == 0
    first, second = read_jsonl(out)
    assert first["error"] == f"{source}:2: bad CSV: 4 cells, the header has 2"
    assert second["id"] == "b" and second["text"] == "Fine, quoted."
