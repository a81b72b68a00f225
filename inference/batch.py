"""Batch scoring of corpora for `framescope predict INPUT... -o OUTPUT`.

Promises, because analysts feed this millions of messy records:

* one output record per input record, in input order; a record that cannot be scored (bad
  JSON, invalid UTF-8, missing/empty/non-string text) gets an `error` field and one warning
  naming the file and line; it never crashes the run and never vanishes;
* every other input field is kept; each record gains `id`, `spans` and `summary` (each label's
  highest sentence score and number of spans). An input field that would collide with one of
  these (`spans`, `summary`, `error`, and `id` where the output id differs from it) is kept as
  `input.<name>`, never overwritten or mistaken for ours;
* every output line is valid JSON: a lone surrogate (from "\ud800" in JSON or undecodable bytes
  in a CSV) becomes U+FFFD, NaN and +-Infinity become null; a record whose text is affected is
  an error record instead;
* a file that cannot be opened or read is one error record naming the file and the reason (a
  Parquet row group that cannot be decoded: one error record per row it held); the other
  files are scored;
* the output appears atomically: work goes to `OUTPUT.partial` (JSON lines, flushed per chunk)
  and is renamed (or converted, for Parquet) only when complete;
* `--resume` continues a killed run: the partial file is cut back to its last whole chunk of
  records (a torn last line goes with it) and scoring restarts there - no duplicates, no gaps,
  and the same bytes as an uninterrupted run.
"""

from __future__ import annotations

import base64
import codecs
import contextlib
import csv
import datetime
import decimal
import itertools
import json
import logging
import math
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from ..resources import DEFAULT_MODEL
from .guards import (changed_input, check_options, check_output_is_not_an_input, output_lock,
                     model_fingerprint, safe_fingerprint, write_atomically)

__all__ = ["Record", "read_records", "read_chunks", "score_files", "print_span_table", "BatchError",
           "text_problem"]

LOG = logging.getLogger("framescope")
INPUT_SUFFIXES = (".jsonl", ".json", ".ndjson", ".csv", ".parquet", ".txt")
CHUNK_RECORDS = 256
# Output fields framescope adds; an input field of the same name is kept as "input.<name>".
OUTPUT_FIELDS = ("spans", "summary", "error")
INPUT_PREFIX = "input."
MAX_NESTING = 100  # deeper input values make an error record (JSON itself stops near 1,000)
CSV_FIELD_CHARS = 16 * 1024 * 1024  # Python's csv stops at 131,072 characters by default


class BatchError(ValueError):
    """Bad arguments for a batch run (exit code 2)."""


@dataclass
class Record:
    """One input record: where it came from, its fields, and why it cannot be scored (if so)."""

    where: str  # "corpus.jsonl:17"
    fields: dict
    error: str | None = None


# -- reading --------------------------------------------------------------------------------

STDIN = Path("-")  # `framescope predict -` (or /dev/stdin): JSON lines or plain text on stdin


def is_stdio(name: str | Path) -> bool:
    """`-` and /dev/stdin or /dev/stdout: a pipe, not a file to check, resume or rename."""
    return str(name) in ("-", "/dev/stdin", "/dev/stdout")


def expand_inputs(inputs: list[str]) -> list[Path]:
    files: list[Path] = []
    for name in inputs:
        path = Path(name)
        if is_stdio(name):
            if STDIN in files:
                raise BatchError("standard input can be read only once")
            files.append(STDIN)
        elif path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file()
                           and p.suffix.lower() in INPUT_SUFFIXES)
            if not found:
                raise BatchError(f"{path}: folder holds no {', '.join(INPUT_SUFFIXES)} files")
            files.extend(found)
        elif path.is_file():
            if path.suffix.lower() not in INPUT_SUFFIXES:
                raise BatchError(f"{path}: unknown input type; use {', '.join(INPUT_SUFFIXES)}")
            files.append(path)
        else:
            raise BatchError(f"{path}: no such file or folder")
    return files


def read_records(files: list[Path], text_field: str = "text") -> Iterator[Record]:
    """All records of all files, in order, each checked for a usable text."""
    for path in files:
        suffix = path.suffix.lower()
        if path == STDIN:
            reader = _read_stdin(text_field)
        elif suffix == ".txt":
            reader = _read_txt(path, text_field)
        elif suffix == ".csv":
            reader = _read_csv(path)
        elif suffix == ".parquet":
            reader = _read_parquet(path)
        else:
            reader = _read_jsonl(path)
        for record in _guarded(path, reader):
            if record.error is None:
                record.error = text_problem(record.fields, text_field)
            yield _json_safe_record(record)


def _guarded(path: Path, reader: Iterator[Record]) -> Iterator[Record]:
    """`reader`'s records; if the file fails to open or read, one error record naming it.

    Every reader isolates its own records; this is the net under them, for what no record can
    own: permission denied, a folder where a file was, a truncated or garbage file, I/O errors.
    """
    produced = 0
    try:
        for record in reader:
            produced += 1
            yield record
    except Exception as error:  # noqa: BLE001 - any failure of one file must not end the run
        reason = f"{type(error).__name__}: {error}".strip()
        if produced:
            yield Record(str(path), {}, f"cannot read the rest of the file after "
                                        f"{produced} records ({reason})")
        else:
            yield Record(str(path), {}, f"cannot read the file ({reason})")


_SURROGATE = re.compile("[\ud800-\udfff]")


class _TooDeep(ValueError):
    pass


def json_safe(value, depth: int = 0):
    """`value` as strict JSON can carry it: lone surrogates as U+FFFD, NaN and infinities as
    None. Raises `_TooDeep` past MAX_NESTING levels."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (dict, list)):
        if depth >= MAX_NESTING:
            raise _TooDeep(f"a value nested more than {MAX_NESTING} levels deep")
        if isinstance(value, dict):
            return {json_safe(str(k)): json_safe(v, depth + 1) for k, v in value.items()}
        return [json_safe(v, depth + 1) for v in value]
    return value


def _json_safe_record(record: Record) -> Record:
    try:
        record.fields = json_safe(record.fields)
    except _TooDeep as error:
        record.fields, record.error = {}, str(error)
    return record


def read_chunks(files: list[Path], text_field: str = "text") -> Iterator[list[Record]]:
    """All records in chunks of CHUNK_RECORDS consecutive records that never span two files.

    The chunk is the unit of scoring everywhere: one process, worker processes, Ray actors and
    a resumed run all score the same chunks. Batch composition decides the last float digits
    of a score, so this is what makes every engine write the same bytes, and what makes a
    file's scores independent of the other files in the run.
    """
    for path in files:
        yield from _chunks(read_records([path], text_field))


def text_problem(fields: dict, text_field: str) -> str | None:
    if text_field not in fields:
        return f"missing text field {text_field!r}"
    text = fields[text_field]
    if not isinstance(text, str):
        return f"text field {text_field!r} is {type(text).__name__}, not a string"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: undecodable bytes in a CSV, or "\ud800" in JSON
        return "invalid UTF-8"
    if not text.strip():
        return "empty text"
    return None


def _read_stdin(text_field: str) -> Iterator[Record]:
    """JSON lines when the first non-blank line starts with `{`, else one plain-text document."""
    stream = sys.stdin.buffer
    head = []
    for raw in stream:
        # a byte-order mark may open the stream (as `_jsonl_records` reads it), and only there
        line = raw.removeprefix(codecs.BOM_UTF8) if not head else raw
        head.append(raw)
        if line.strip():
            break
    lines = itertools.chain(head, stream)
    if head and line.lstrip().startswith(b"{"):
        yield from _jsonl_records(lines, "<stdin>")
        return
    data = b"".join(lines)
    try:
        yield Record("<stdin>", {"id": "stdin", text_field: data.decode("utf-8-sig")})
    except UnicodeDecodeError:
        yield Record("<stdin>", {"id": "stdin"}, "invalid UTF-8")


def _read_jsonl(path: Path) -> Iterator[Record]:
    with path.open("rb") as handle:
        yield from _jsonl_records(handle, str(path))


def _jsonl_records(lines, name: str) -> Iterator[Record]:
    """One record per non-blank line of `lines` (bytes), named `name:line`."""
    for number, raw in enumerate(lines, 1):
        where = f"{name}:{number}"
        if not (raw.removeprefix(codecs.BOM_UTF8) if number == 1 else raw).strip():
            continue  # a blank line (after Excel's byte-order mark) is not a record
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            yield Record(where, {}, "invalid UTF-8")
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            yield Record(where, {}, f"bad JSON: {error.msg} at column {error.colno}")
            continue
        except ValueError as error:  # an integer of more than 4,300 digits
            yield Record(where, {}, f"bad JSON: {error}".split(";")[0])
            continue
        except RecursionError:
            yield Record(where, {}, "bad JSON: nested too deeply")
            continue
        if not isinstance(value, dict):
            yield Record(where, {}, f"expected a JSON object, got {type(value).__name__}")
            continue
        yield Record(where, value)


def _read_csv(path: Path) -> Iterator[Record]:
    """One record per CSV row. Undecodable bytes are kept as lone surrogates, so the text
    field reports them ("invalid UTF-8") and other fields are written with U+FFFD; a row the
    csv module rejects (a field over CSV_FIELD_CHARS) is an error record for its line."""
    with _csv_field_limit(), path.open(newline="", encoding="utf-8-sig",
                                       errors="surrogateescape") as handle:
        reader = csv.DictReader(handle)
        line = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                line = max(reader.line_num, line + 1)
                yield Record(f"{path}:{line}", {}, f"bad CSV: {error}")
                continue
            line = reader.line_num
            if None in row:  # more cells than the header: an unquoted comma cut the text
                header = len(reader.fieldnames or [])
                yield Record(f"{path}:{line}", {}, f"bad CSV: {header + len(row[None])} cells, "
                             f"the header has {header}")
                continue
            yield Record(f"{path}:{line}", {k: v for k, v in row.items() if k})


@contextlib.contextmanager
def _csv_field_limit():
    """The csv module's field limit at CSV_FIELD_CHARS while a file is read, then as it was
    (the limit is global to the process)."""
    previous = csv.field_size_limit(CSV_FIELD_CHARS)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _read_parquet(path: Path) -> Iterator[Record]:
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    row = 0
    for group in range(parquet.num_row_groups):
        group_end = row + parquet.metadata.row_group(group).num_rows
        try:
            for batch in parquet.iter_batches(batch_size=4096, row_groups=[group]):
                for fields in batch.to_pylist():
                    row += 1
                    yield Record(f"{path}:row {row}",
                                 {k: _as_json_value(v) for k, v in fields.items()})
        except Exception as error:  # noqa: BLE001 - a corrupt page, bad compression, ...
            reason = f"row group {group} cannot be read ({type(error).__name__}: {error})"
            while row < group_end:  # still one output record per input row
                row += 1
                yield Record(f"{path}:row {row}", {}, reason)


def _as_json_value(value):
    """A Parquet value as JSON can carry it, so every output format can write it: dates and
    times as ISO 8601, decimals and durations as text, bytes as UTF-8 (or base64 if not)."""
    if isinstance(value, (datetime.date, datetime.time)):  # datetime is a date
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, datetime.timedelta)):
        return str(value)
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {k: _as_json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json_value(v) for v in value]
    return value


def _read_txt(path: Path, text_field: str) -> Iterator[Record]:
    data = path.read_bytes()
    try:
        yield Record(str(path), {"id": path.name, text_field: data.decode("utf-8")})
    except UnicodeDecodeError:
        yield Record(str(path), {"id": path.name}, "invalid UTF-8")


def count_records(files: list[Path]) -> int | None:
    """A cheap count for the progress bar's ETA (blank JSONL lines are not counted); None when
    reading standard input, which cannot be read twice."""
    if STDIN in files:
        return None
    total = 0
    for path in files:
        try:
            total += _count_file(path)
        except Exception:  # noqa: BLE001 - unreadable: the reader makes it one error record
            total += 1
    return total


def _count_file(path: Path) -> int:
    suffix = path.suffix.lower()
    if suffix == ".txt":
        return 1
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    if suffix == ".csv":
        with _csv_field_limit(), path.open(newline="", encoding="utf-8-sig",
                                           errors="replace") as handle:
            return max(0, sum(1 for _ in csv.reader(handle)) - 1)  # less the header
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())


# -- scoring --------------------------------------------------------------------------------

def output_record(record: Record, id_field: str, spans=None, best=None, labels=None) -> dict:
    """The output record: `id`, the input's fields, then `spans` and `summary` (or `error`).

    Input fields named like ours are kept as `input.<name>` (see OUTPUT_FIELDS); the input's
    `id` too when the output id is another value (`--id-field doc`).
    """
    fields = record.fields
    given = fields.get(id_field)
    out = {"id": record.where if given is None else str(given)}  # a null id names no record
    for key, value in fields.items():
        if key == "id" and value is not None and str(value) == out["id"]:
            continue
        out[INPUT_PREFIX + key if key in OUTPUT_FIELDS or key == "id" else key] = value
    if record.error is not None:
        out.update(spans=[], summary=None, error=f"{record.where}: {record.error}")
        return out
    counts = {label: 0 for label in labels}
    for span in spans:
        counts[span.label] += 1
    out["spans"] = [span.to_dict() for span in spans]
    out["summary"] = {label: {"max_score": round(float(score), 6), "spans": counts[label]}
                      for label, score in zip(labels, best)}
    return out


def _chunks(records) -> Iterator[list[Record]]:
    """Consecutive lists of CHUNK_RECORDS records (the last may be shorter)."""
    iterator = iter(records)
    while chunk := list(itertools.islice(iterator, CHUNK_RECORDS)):
        yield chunk


class RecordWarnings:
    """One warning per unscorable record for the first `limit`, then a summary at the end:
    counts by kind and where the first few were, so a broken corpus never floods the terminal.
    Warnings go through the `framescope` logger (which the CLI routes past the progress bar)."""

    def __init__(self, limit: int = 20) -> None:
        self.limit, self.kinds, self.first = limit, {}, {}

    def add(self, where: str, error: str) -> None:
        kind = error.split(":")[0]
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        places = self.first.setdefault(kind, [])
        if len(places) < 3:
            places.append(where)
        if sum(self.kinds.values()) <= self.limit:
            LOG.warning("%s: %s; written with an error field", where, error)

    def summarise(self) -> None:
        total = sum(self.kinds.values())
        if total > self.limit:
            LOG.warning("%d records could not be scored (%d more than shown): %s", total,
                        total - self.limit, "; ".join(
                            f"{n} x {kind} (first at {', '.join(self.first[kind])})"
                            for kind, n in sorted(self.kinds.items(), key=lambda kv: -kv[1])))


def score_records(records, model, cut: np.ndarray, batch_size: int, text_field: str,
                  id_field: str) -> Iterator[dict]:
    """Output records for `records`, in order; errors pass through with their message (the
    writer warns about them, once, in the process that writes)."""
    from .predict import document_results

    labels = model.labels
    for chunk in _chunks(records):
        valid = [r for r in chunk if r.error is None]
        results = iter(document_results([r.fields[text_field] for r in valid], model, cut,
                                        batch_size))
        for record in chunk:
            if record.error is not None:
                yield output_record(record, id_field)
            else:
                spans, best = next(results)
                yield output_record(record, id_field, spans, best, labels)


# -- several worker processes ---------------------------------------------------------------

_WORKER: dict = {}


def _init_worker(model_path, device, precision, threshold, text_field, id_field, threads):
    import torch

    from .predict import load_model, thresholds_array

    torch.set_num_threads(threads)
    model = load_model(model_path, device=device, precision=precision)
    _WORKER.update(model=model, cut=thresholds_array(model, threshold), text_field=text_field,
                   id_field=id_field)


def _score_chunk(chunk: list[Record], batch_size: int) -> list[dict]:
    w = _WORKER
    return list(score_records(chunk, w["model"], w["cut"], batch_size, w["text_field"],
                              w["id_field"]))


def score_chunks_parallel(chunks, workers: int, model_path: str, args) -> Iterator[list[dict]]:
    """The output records of each chunk, scored over `workers` processes, in input order.

    Each process loads the model once and uses (cores / workers) torch threads; at most
    2 x workers chunks are in flight, so a huge input is never read ahead.
    """
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing

    threads = max(1, (os.cpu_count() or 1) // workers)
    init = (model_path, args.device, args.precision, args.threshold, args.text_field,
            args.id_field, threads)
    context = multiprocessing.get_context("spawn")  # torch and fork do not mix
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                             initargs=init) as pool:
        pending: deque = deque()
        while True:
            for chunk in itertools.islice(chunks, 2 * workers - len(pending)):
                pending.append(pool.submit(_score_chunk, chunk, args.batch_size or 64))
            if not pending:
                return
            yield pending.popleft().result()


SCORING_DEFAULTS = {"batch_size": 64, "precision": "auto", "device": "cpu"}


def _settings(args, files: list[Path], model_path: str) -> dict:
    """What must match for `--resume` to continue a run rather than mix two: the inputs (with
    their fingerprints: size, mtime, SHA-256), the model's files and the scoring options."""
    model = Path(model_path)
    return {"inputs": [safe_fingerprint(p) for p in files], "model": model_path,
            "model_sha256": model_fingerprint(model),
            "text_field": args.text_field, "id_field": args.id_field, "threshold": args.threshold,
            # scores move in the last digits with the batch's padding and the numeric precision
            "batch_size": args.batch_size or SCORING_DEFAULTS["batch_size"],
            "precision": args.precision, "device": args.device or SCORING_DEFAULTS["device"]}


def _check_resumable(partial: Path, meta: Path, settings: dict) -> None:
    """Refuse `--resume` unless the partial run had the same settings and the same inputs,
    byte for byte. (We refuse rather than re-score from the first changed record: records
    already written may depend on the old bytes in ways a reader cannot see, e.g. CSV quoting.)
    """
    try:
        previous = json.loads(meta.read_text("utf-8"))
    except (OSError, ValueError):
        previous = None
    if not isinstance(previous, dict):
        raise BatchError(f"{partial} has no readable record of its run ({meta}); "
                         "run without --resume to start over")
    old_inputs = [f.get("path") if isinstance(f, dict) else f for f in previous.get("inputs", [])]
    same_paths = old_inputs == [f["path"] for f in settings["inputs"]]
    others = {k: v for k, v in settings.items() if k != "inputs"}
    # a partial file from before these settings were recorded ran with their defaults
    recorded = {**SCORING_DEFAULTS, **previous}
    differ = ["inputs"] * (not same_paths) + [k for k in others if recorded.get(k) != others[k]]
    if differ:
        raise BatchError(f"{partial} was made by a run with other inputs or settings "
                         f"({', '.join(differ)}); run without --resume to start over")
    changed = changed_input(previous["inputs"], settings["inputs"])
    if changed:
        raise BatchError(f"{changed} since {partial} was started; resuming would mix records "
                         "of two versions of the input. Run without --resume to start over")


def _resume_point(partial: Path, chunks) -> tuple[int, int, Iterator[list[Record]]]:
    """Cut `partial` back to its last whole chunk; return the records kept, how many of them
    are error records, and the chunks left.

    A resumed run restarts on a chunk boundary, so it scores exactly the chunks an
    uninterrupted run would have scored and writes the same bytes (see `read_chunks`). A torn
    last line goes with the partial chunk.
    """
    with partial.open("rb+") as handle:
        data = handle.read()
        complete = data[: data.rfind(b"\n") + 1].count(b"\n")
        keep_records = 0
        for chunk in chunks:
            if keep_records + len(chunk) > complete:
                chunks = itertools.chain([chunk], chunks)
                break
            keep_records += len(chunk)
        keep_bytes = 0
        for _ in range(keep_records):
            keep_bytes = data.index(b"\n", keep_bytes) + 1
        handle.truncate(keep_bytes)
    errors = sum("error" in json.loads(line) for line in data[:keep_bytes].splitlines())
    return keep_records, errors, chunks


def check_text_field(files: list[Path], text_field: str, peek: int = 20) -> None:
    """Stop before any scoring when a file's first records all lack the text field: a wrong
    `--text-field` would otherwise cost a whole run and a file of error records."""
    for path in files:
        if path == STDIN:
            continue
        seen, fields = 0, {}
        for record in itertools.islice(read_records([path], text_field), peek):
            if record.error is not None and not record.error.startswith("missing text field"):
                continue  # unreadable records say nothing about the field name
            if text_field in record.fields:
                break
            seen += 1
            for key, value in record.fields.items():
                if isinstance(value, str):
                    fields[key] = max(fields.get(key, 0), len(value))
                else:
                    fields.setdefault(key, 0)
        else:
            if seen:
                longest = max(fields, key=fields.get) if fields else None
                hint = f" (--text-field {longest}?)" if longest and fields[longest] else ""
                raise BatchError(f"{path}: no field {text_field!r} in the first {seen} records; "
                                 f"fields found: {', '.join(fields) or 'none'}{hint}")


def score_files(args) -> int:
    check_options(args)
    files = expand_inputs(args.inputs)
    to_stdout = is_stdio(args.output)
    output = Path(args.output)
    if not to_stdout and output.suffix.lower() not in (".jsonl", ".parquet"):
        raise BatchError(f"{output}: output must end in .jsonl or .parquet (or - for stdout)")
    if not to_stdout and not output.parent.is_dir():
        raise BatchError(f"{output.parent}: output folder does not exist")
    if args.resume and (to_stdout or STDIN in files):
        raise BatchError("--resume needs files: it cannot re-read standard input or rewind stdout")
    if not to_stdout:
        check_output_is_not_an_input(output, files)
    check_text_field(files, args.text_field)
    if to_stdout:
        model_path, model, cut = _load(args)
        chunks = read_chunks(files, args.text_field)
        written, errors = _score_into(sys.stdout, chunks, 0, files, model, cut, model_path, args)
        sys.stdout.flush()
        return 1 if written and written == errors else 0
    with output_lock(output):  # before the model loads, so a second run stops at once
        return _score_to_file(args, files, output)


def _load(args):
    from .predict import load_model, thresholds_array

    model_path = str(Path(args.model or DEFAULT_MODEL).resolve())
    model = load_model(model_path, device=args.device, precision=args.precision)
    return model_path, model, thresholds_array(model, args.threshold)


def _score_to_file(args, files: list[Path], output: Path) -> int:
    """Score into `OUTPUT.partial`, then publish `output`; resume from the partial file if asked.

    A failed write (read-only folder, full disk) becomes an `OSError` with a plain message; the
    partial file keeps every whole record written so far, for `--resume`.
    """
    model_path, model, cut = _load(args)
    partial = output.with_name(output.name + ".partial")
    meta = output.with_name(output.name + ".partial.json")
    settings = _settings(args, files, model_path)
    chunks = read_chunks(files, args.text_field)
    done = done_errors = 0
    try:
        if args.resume and partial.exists():
            _check_resumable(partial, meta, settings)
            done, done_errors, chunks = _resume_point(partial, chunks)
            LOG.info("resuming: %d records already scored in %s", done, partial)
        else:
            partial.write_bytes(b"")
            write_atomically(meta, json.dumps(settings))
        with partial.open("a", encoding="utf-8") as handle:
            written, errors = _score_into(handle, chunks, done, files, model, cut, model_path,
                                          args)
            handle.flush()
            os.fsync(handle.fileno())
        _finish(partial, output, model.labels)
    except OSError as error:
        kept = partial.is_file() and partial.stat().st_size > 0
        hint = (f"; the records written so far are kept in {partial}: rerun with --resume "
                "once the problem is fixed" if kept else "")
        raise OSError(f"cannot write {output}: {error.strerror or error}{hint}") from None
    meta.unlink(missing_ok=True)
    errors += done_errors
    LOG.info("wrote %d records to %s (%d with errors)", done + written, output, errors)
    if done + written - errors == 0:
        LOG.error("nothing could be scored")
        return 1
    return 0


def _score_into(handle, chunks, done: int, files, model, cut, model_path: str, args):
    """Score `chunks` and write one JSON line per record to `handle`; (records, errors)."""
    from tqdm import tqdm
    from tqdm.contrib.logging import logging_redirect_tqdm

    written = errors = 0
    warnings = RecordWarnings()
    workers = getattr(args, "workers", 1) or 1
    if workers > 1:
        outputs_per_chunk = score_chunks_parallel(chunks, workers, model_path, args)
    else:
        outputs_per_chunk = (list(score_records(chunk, model, cut, args.batch_size or 64,
                                                args.text_field, args.id_field))
                             for chunk in chunks)
    progress = tqdm(total=count_records(files), initial=done, unit="doc", file=sys.stderr,
                    disable=args.no_progress or None, dynamic_ncols=True, smoothing=0.1,
                    leave=False)
    with progress, logging_redirect_tqdm(loggers=[LOG]):
        for outputs in outputs_per_chunk:
            for out in outputs:
                handle.write(json_line(out) + "\n")
                if "error" in out:
                    errors += 1
                    warnings.add(*out["error"].split(": ", 1))
            written += len(outputs)
            handle.flush()
            progress.update(len(outputs))
    warnings.summarise()
    return written, errors


def json_line(out: dict) -> str:
    """One output record as strict JSON (fields were made JSON-safe when read)."""
    return json.dumps(out, ensure_ascii=False, allow_nan=False)


def _finish(partial: Path, output: Path, labels: list[str]) -> None:
    if output.suffix.lower() == ".jsonl":
        os.replace(partial, output)
        return
    from .parquet_output import jsonl_to_parquet

    tmp = output.with_name(output.name + ".tmp")
    try:
        jsonl_to_parquet(partial, tmp, labels)
        os.replace(tmp, output)
    except BaseException:
        tmp.unlink(missing_ok=True)  # never leave half a Parquet file behind
        raise
    partial.unlink()


# -- a table on the terminal ----------------------------------------------------------------

def print_span_table(args) -> int:
    """`framescope predict FILE` without -o: a readable table of every span."""
    from .predict import load_model, thresholds_array

    check_options(args)
    files = expand_inputs(args.inputs)
    model = load_model(args.model or DEFAULT_MODEL, device=args.device, precision=args.precision)
    cut = thresholds_array(model, args.threshold)
    records = list(read_records(files, args.text_field))
    any_scored = False
    for out in score_records(records, model, cut, args.batch_size or 64, args.text_field,
                             args.id_field):
        print(f"\n{out['id']}")
        if "error" in out:
            print(f"  error: {out['error']}")
            continue
        any_scored = True
        if not out["spans"]:
            print("  (no framing spans)")
        for span in out["spans"]:
            sentence = " ".join(span["text"].split())
            if len(sentence) > 90:
                sentence = sentence[:87] + "..."
            print(f"  {span['start']:>6}-{span['end']:<6} {span['label']:<22} "
                  f"{span['score']:.2f}  {sentence}")
    return 0 if any_scored else 1
