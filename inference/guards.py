"""Guards around a batch run: checked options, an exclusive output, and inputs that resume
can trust.

* `check_options`: numbers that make no sense (`--batch-size -1`, `--workers 0`) stop the run
  before the model is loaded; before, `--batch-size -1` wrote all-zero scores and exited 0.
* `check_output_is_not_an_input`: `-o corpus.jsonl` for the input corpus.jsonl would replace
  the data being read.
* `output_lock`: an exclusive lock (`flock`) on `OUTPUT.lock` for the whole run, so a second
  run with the same `-o` stops at once instead of interleaving its records with the first's.
* `fingerprint`: size, modification time and SHA-256 of an input file, stored with the partial
  output; `--resume` refuses when an input's size or content changed (a new mtime alone, with
  the same bytes, is fine), rather than mixing records of two versions of the data.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import Iterator

__all__ = ["check_options", "check_output_is_not_an_input", "output_lock", "fingerprint",
           "changed_input", "OutputBusy", "write_atomically"]

HASH_BLOCK = 1 << 20


class OutputBusy(ValueError):
    """Another run holds the output's lock (exit code 2, like other argument problems)."""


def check_options(args) -> None:
    """Raise ValueError for numeric options outside their range (argparse checks only types)."""
    for name, lowest in (("batch_size", 1), ("workers", 1), ("max_documents", 1),
                         ("min_period_documents", 0)):
        value = getattr(args, name, None)
        if value is not None and value < lowest:
            flag = "--" + name.replace("_", "-")
            raise ValueError(f"{flag} must be at least {lowest}, not {value}")
    threshold = getattr(args, "threshold", None)
    values = threshold.values() if isinstance(threshold, dict) else [threshold]
    for value in values:
        if value is not None and not 0.0 <= value <= 1.0:  # NaN fails too
            raise ValueError(f"--threshold must be in [0, 1], not {value}")


def check_output_is_not_an_input(output: Path, files: list[Path]) -> None:
    """Refuse an output (or its work files) that is one of the inputs."""
    work = [output, output.with_name(output.name + ".partial")]
    for path in files:
        for target in work:
            if _same_file(path, target):
                raise ValueError(f"-o {output} would overwrite the input {path}; "
                                 "write the output somewhere else")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


@contextlib.contextmanager
def output_lock(output: Path) -> Iterator[None]:
    """Hold an exclusive lock on `OUTPUT.lock` while the body runs; `OutputBusy` at once if
    another process holds it. The lock file is removed at the end.

    A run that finds the file, then loses a race with the holder removing it, would lock a file
    no one else sees; so after locking we check that the path still names the locked file.
    """
    import fcntl

    path = output.with_name(output.name + ".lock")
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise OSError(f"cannot create {path} in the output folder: "
                          f"{error.strerror or error}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise OutputBusy(f"{output} is being written by another framescope run (it holds "
                             f"{path}); wait for it to finish or choose another -o") from None
        try:
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)  # removed by the previous holder as we opened it: try again
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)


def write_atomically(path: Path, text: str) -> None:
    """Write `text` beside `path`, then rename it into place: readers see the old file or the
    whole new one, never a half-written one."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, path)


def fingerprint(path: Path) -> dict:
    """What identifies an input's content: resolved path, size, mtime (ns) and SHA-256."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(HASH_BLOCK):
            digest.update(block)
    stat = path.stat()
    return {"path": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
            "sha256": digest.hexdigest()}


def safe_fingerprint(path: Path) -> dict:
    """`fingerprint`, or the reason it could not be taken (the reader will report the file)."""
    try:
        return fingerprint(path)
    except OSError as error:
        return {"path": str(path.resolve()), "unreadable": str(error.strerror or error)}


MODEL_FILES = ("model.safetensors", "framescope.json", "lexical.safetensors")


def model_fingerprint(model_dir: str | Path) -> list[str | None]:
    """SHA-256 of the files that decide a model's scores (None for an absent one, e.g. the
    lexical half of an encoder-only model): outputs made with other files are not resumed."""
    return [safe_fingerprint(Path(model_dir) / name).get("sha256") for name in MODEL_FILES]


def changed_input(before: list[dict], now: list[dict]) -> str | None:
    """Which input changed between two lists of fingerprints (same paths), and how."""
    for old, new in zip(before, now):
        if old.get("size") != new.get("size"):
            return f"{new['path']} changed size ({old.get('size')} -> {new.get('size')} bytes)"
        if old.get("sha256") != new.get("sha256"):
            return f"{new['path']} changed content (same size, other SHA-256)"
    return None
