"""Faults around a batch run: full disk, read-only or unwritable output, kill during a write,
two runs on one output, inputs changed before `--resume`, options that make no sense.

Tests run as root here, where chmod does not stop a write; such faults are injected as the
OSError the kernel would raise, and, where this machine lets a test mount a small tmpfs, also
produced for real.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from framescope.cli import main
from framescope.inference import batch, guards

from .test_batch_cli import corpus_with_corruption


def predict_cli(*args):
    return main(["predict", *map(str, args), "--no-progress"])


@pytest.fixture
def corpus(tmp_path):
    return corpus_with_corruption(tmp_path / "corpus.jsonl", 700)


@pytest.fixture
def reference(tmp_path, corpus, tiny_model_dir):
    out = tmp_path / "reference.jsonl"
    assert predict_cli(corpus, "-o", out, "--model", tiny_model_dir) == 0
    return out.read_bytes()


def fail_writes_after(monkeypatch, records: int, error: int = errno.ENOSPC):
    """Make the output write fail, as the kernel would, once `records` lines are written."""
    real = batch.json_line
    count = {"n": 0}

    def failing(out):
        count["n"] += 1
        if count["n"] > records:
            raise OSError(error, os.strerror(error))
        return real(out)

    monkeypatch.setattr(batch, "json_line", failing)


def test_disk_full_is_a_clean_error_and_resume_finishes_the_same_bytes(
        tmp_path, corpus, reference, tiny_model_dir, monkeypatch, capsys):
    out = tmp_path / "out.jsonl"
    fail_writes_after(monkeypatch, 300)
    assert predict_cli(corpus, "-o", out, "--model", tiny_model_dir) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "--resume" in err and "Traceback" not in err
    assert not out.exists()  # never a half-written output
    assert not (tmp_path / "out.jsonl.lock").exists()

    monkeypatch.undo()  # space freed
    assert predict_cli(corpus, "-o", out, "--model", tiny_model_dir, "--resume") == 0
    assert out.read_bytes() == reference


def test_parquet_conversion_failing_leaves_no_half_file(tmp_path, corpus, tiny_model_dir,
                                                        monkeypatch, capsys):
    from framescope.inference import parquet_output

    def full_disk(source, target, labels):
        Path(target).write_bytes(b"PAR1 half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(parquet_output, "jsonl_to_parquet", full_disk)
    out = tmp_path / "out.parquet"
    assert predict_cli(corpus, "-o", out, "--model", tiny_model_dir) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("out.")) == [
        "out.parquet.partial", "out.parquet.partial.json"]  # kept for --resume, nothing else


@pytest.mark.parametrize("error", [errno.EROFS, errno.EACCES])
def test_an_unwritable_output_folder_is_a_clean_error(tmp_path, corpus, tiny_model_dir,
                                                      monkeypatch, capsys, error):
    real_open = os.open

    def refuse_in_folder(path, flags, *args, **kwargs):
        if str(path).startswith(str(tmp_path / "out")) and flags & os.O_CREAT:
            raise OSError(error, os.strerror(error), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse_in_folder)  # also what Path.open/write_* call
    out = tmp_path / "out.jsonl"
    assert predict_cli(corpus, "-o", out, "--model", tiny_model_dir) == 1
    err = capsys.readouterr().err
    assert os.strerror(error) in err and "Traceback" not in err
    assert not list(tmp_path.glob("out.*"))


def mounted_tmpfs(path: Path, options: str) -> bool:
    path.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
                            capture_output=True)
    return result.returncode == 0


@pytest.mark.parametrize("options, message", [("size=64k", "No space left on device"),
                                              ("ro", "Read-only file system")])
def test_a_real_full_or_read_only_filesystem(tmp_path, corpus, tiny_model_dir, capsys, options,
                                             message):
    folder = tmp_path / "small"
    if not mounted_tmpfs(folder, options):
        pytest.skip("cannot mount a tmpfs here (the injected-error tests above cover this)")
    try:
        out = folder / "out.jsonl"
        assert predict_cli(corpus, "-o", out, "--model", tiny_model_dir) == 1
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
        assert not out.exists()
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_second_run_on_the_same_output_stops_at_once(tmp_path, corpus, tiny_model_dir,
                                                       capsys):
    out = tmp_path / "out.jsonl"
    with guards.output_lock(out):  # as a running `framescope predict -o out.jsonl` holds it
        started = time.perf_counter()
        assert predict_cli(corpus, "-o", out, "--model", tiny_model_dir) == 2
        assert time.perf_counter() - started < 5
    assert "being written by another framescope run" in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / "out.jsonl.partial").exists()
    assert predict_cli(corpus, "-o", out, "--model", tiny_model_dir) == 0  # lock released


def test_two_processes_writing_one_output(tmp_path, tiny_model_dir):
    source = corpus_with_corruption(tmp_path / "big.jsonl", 20_000)
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "framescope.cli", "predict", str(source), "-o", str(out),
               "--model", str(tiny_model_dir), "--no-progress"]
    first = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while time.time() < deadline and not (tmp_path / "out.jsonl.partial").exists():
            time.sleep(0.02)
        second = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert second.returncode == 2, second.stderr
        assert "being written by another framescope run" in second.stderr
        assert first.poll() is None  # the first run goes on
    finally:
        first.kill()
        first.wait()
    # A killed run leaves its lock file behind, but no lock: the next run goes ahead.
    assert (tmp_path / "out.jsonl.lock").exists()
    small = corpus_with_corruption(tmp_path / "small.jsonl", 50)
    assert predict_cli(small, "-o", out, "--model", tiny_model_dir) == 0
    assert len(out.read_text().splitlines()) == 50 and not (tmp_path / "out.jsonl.lock").exists()


def interrupted_run(tmp_path, corpus, tiny_model_dir, monkeypatch):
    """A run that stopped after 300 records (as if killed), with its partial file."""
    out = tmp_path / "out.jsonl"
    fail_writes_after(monkeypatch, 300)
    assert predict_cli(corpus, "-o", out, "--model", tiny_model_dir) == 1
    monkeypatch.undo()
    return out


def test_resume_refuses_an_input_whose_content_changed(tmp_path, corpus, tiny_model_dir,
                                                       monkeypatch, capsys):
    out = interrupted_run(tmp_path, corpus, tiny_model_dir, monkeypatch)
    data = corpus.read_bytes()
    corpus.write_bytes(data.replace(b"Report 5.", b"Report 6.", 1))  # same size, other bytes
    capsys.readouterr()
    assert predict_cli(corpus, "-o", out, "--model", tiny_model_dir, "--resume") == 2
    assert "changed content" in capsys.readouterr().err
    corpus.write_bytes(data + b'{"text": "One more."}\n')
    assert predict_cli(corpus, "-o", out, "--model", tiny_model_dir, "--resume") == 2
    assert "changed size" in capsys.readouterr().err
    assert not out.exists()


def test_resume_accepts_an_input_that_was_only_touched(tmp_path, corpus, reference,
                                                       tiny_model_dir, monkeypatch):
    out = interrupted_run(tmp_path, corpus, tiny_model_dir, monkeypatch)
    os.utime(corpus, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert predict_cli(corpus, "-o", out, "--model", tiny_model_dir, "--resume") == 0
    assert out.read_bytes() == reference


def test_an_output_that_is_an_input_is_refused(tmp_path, corpus, tiny_model_dir, capsys):
    before = corpus.read_bytes()
    assert predict_cli(corpus, "-o", corpus, "--model", tiny_model_dir) == 2
    assert "would overwrite the input" in capsys.readouterr().err
    assert corpus.read_bytes() == before


@pytest.mark.parametrize("option", [["--batch-size", "-1"], ["--batch-size", "0"],
                                    ["--workers", "0"]])
def test_nonsense_numbers_stop_the_run_before_the_model_loads(tmp_path, corpus, capsys, option):
    out = tmp_path / "out.jsonl"
    # a model folder that does not exist: the option must be refused first
    assert predict_cli(corpus, "-o", out, "--model", tmp_path / "no-model", *option) == 2
    assert f"{option[0]} must be at least" in capsys.readouterr().err
    assert not out.exists()
