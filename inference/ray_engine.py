"""Scoring on a Ray cluster with Ray Data: `framescope predict --engine ray INPUT... -o DIR`.

Same records, same errors, same output fields as the local engine (it reuses its reader and
scorer); only the work is spread over Ray actors, each loading the model once.

* Every input file is one *shard*; its output is `DIR/<file stem>-<hash of its path>.parquet`,
  the local engine's output for that file: actors score the same chunks of records
  (`batch.read_chunks`) with the same batch size. Byte for byte so where both use one torch
  thread; with more threads, a rounded score can differ in its sixth decimal.
  Shards already written are skipped, so a killed run resumes where it stopped, but only if
  their input and the scoring are unchanged: each shard stores a fingerprint (its input's size
  and SHA-256, the model files' SHA-256, threshold and fields; key `framescope.input` of the
  Parquet metadata) and is scored again when any of it differs (or when it has none). Each
  shard file is written to a temporary name and renamed, so a shard is either complete or
  absent.
* Actors read the input files, so inputs must be reachable from every node (a shared
  filesystem). Scored records stream back to the driver in order, which writes DIR.
* `predict_dataset(ds)` scores a `ray.data.Dataset` you built yourself and returns one.

Ray is an optional extra (`pip install -e .[ray]`); nothing else in framescope imports it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from .batch import (CHUNK_RECORDS, SCORING_DEFAULTS, STDIN, BatchError, Record, check_text_field,
                    expand_inputs, json_line, read_chunks, score_records, text_problem)
from .guards import check_options, model_fingerprint, output_lock, safe_fingerprint
from .predict import DEFAULT_MODEL, load_model, thresholds_array

__all__ = ["predict_dataset", "score_files_with_ray", "shard_name"]

BLOCK_BYTES = 64 * 1024


def _ray():
    try:
        import ray
    except ImportError as error:
        raise BatchError("--engine ray needs Ray: pip install -e '.[ray]'") from error
    return ray


def shard_name(path: Path) -> str:
    digest = hashlib.sha1(str(Path(path).resolve()).encode("utf-8")).hexdigest()[:10]
    return f"{Path(path).stem}-{digest}.parquet"


class _Scorer:
    """A Ray actor: loads the model once, then scores chunks of records."""

    def __init__(self, model_path: str, threshold, text_field: str, id_field: str,
                 device: str | None, precision: str, batch_size: int, threads: int) -> None:
        import torch

        torch.set_num_threads(max(1, threads))
        self.model = load_model(model_path, device=device, precision=precision)
        self.cut = thresholds_array(self.model, threshold)
        self.text_field, self.id_field, self.batch_size = text_field, id_field, batch_size

    def _score(self, records: list[Record]) -> list[dict]:
        return list(score_records(records, self.model, self.cut, self.batch_size,
                                  self.text_field, self.id_field))


class _ChunkScorer(_Scorer):
    """Rows from `_file_chunks` in (one chunk of records each); the chunk's output records out,
    as JSON lines."""

    def __call__(self, batch: dict) -> dict:
        outputs = []
        for chunk in batch["records"]:
            records = [Record(where, fields, error) for where, fields, error in json.loads(chunk)]
            outputs.append("\n".join(json_line(o) for o in self._score(records)))
        return {"shard": list(batch["shard"]), "outputs": outputs}


class _DatasetScorer(_Scorer):
    """Rows of a user's dataset in (pandas batches); the same rows plus the outputs out."""

    def __call__(self, frame):
        records = [Record(f"row {i}", {k: _plain(v) for k, v in row.items()})
                   for i, row in zip(frame.index, frame.to_dict(orient="records"))]
        for record in records:
            record.error = text_problem(record.fields, self.text_field)
        import pandas as pd

        return pd.DataFrame(self._score(records))


def _plain(value):
    """numpy scalars and arrays (as Ray hands them over) to plain Python values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def _file_chunks(row: dict) -> list[dict]:
    """One input file as rows of one chunk each (the local engine's reader and chunking)."""
    return [{"shard": row["shard"],
             "records": json.dumps([[r.where, r.fields, r.error] for r in chunk],
                                   ensure_ascii=False, default=str)}
            for chunk in read_chunks([Path(row["path"])], row["text_field"])]


class _ShardWriter:
    """Collects one shard's output records (arriving in order) and publishes it atomically."""

    def __init__(self, out_dir: Path, labels: list[str], metadata: dict[str, dict]) -> None:
        self.out_dir, self.labels, self.metadata = out_dir, labels, metadata
        self.shard: str | None = None
        self.handle = None
        self.written: dict[str, int] = {}

    def add(self, shard: str, outputs: str) -> None:
        """`outputs`: the JSON lines of one chunk."""
        if shard != self.shard:
            self.close()
            self.shard = shard
            self.handle = (self.out_dir / f"{shard}.jsonl.tmp").open("w", encoding="utf-8")
            self.written[shard] = 0
        self.handle.write(outputs + "\n")
        self.written[shard] += outputs.count("\n") + 1

    def write_empty(self, shard: str) -> None:
        """An input file without records still gets its (empty) shard, so reruns skip it."""
        self.close()
        self.shard, self.written[shard] = shard, 0
        self.handle = (self.out_dir / f"{shard}.jsonl.tmp").open("w", encoding="utf-8")
        self.close()

    def close(self) -> None:
        if self.handle is None:
            return
        from .parquet_output import jsonl_to_parquet

        self.handle.close()
        work = self.out_dir / f"{self.shard}.jsonl.tmp"
        tmp = self.out_dir / f"{self.shard}.tmp"
        jsonl_to_parquet(work, tmp, self.labels, self.metadata.get(self.shard))
        os.replace(tmp, self.out_dir / self.shard)
        work.unlink()
        self.handle = None


def _actor_options(device: str | None) -> dict:
    if device == "cuda":
        return {"num_gpus": 1}
    return {"num_cpus": 1}


def predict_dataset(ds, model: str | Path | None = None, *, text_field: str = "text",
                    id_field: str = "id", threshold=None, device: str | None = None,
                    precision: str = "auto", batch_size: int = 64, concurrency: int = 1):
    """Score a `ray.data.Dataset` with a text column; returns a Dataset with `id`, `spans`,
    `summary` and `error` added to every row (errors as in the local engine)."""
    model_path = str(Path(model or DEFAULT_MODEL).resolve())
    return ds.map_batches(
        _DatasetScorer,
        fn_constructor_args=(model_path, threshold, text_field, id_field, device, precision,
                             batch_size, 1),
        batch_format="pandas", batch_size=CHUNK_RECORDS, concurrency=concurrency,
        **_actor_options(device),
    )


FINGERPRINT_KEY = "framescope.input"


def _input_fingerprint(path: Path, scoring: dict) -> str:
    """Size and SHA-256 of an input file and what scored it, as stored in its shard (mtime is
    left out: a copy of the same bytes needs no new scores)."""
    found = safe_fingerprint(path)
    return json.dumps({**{k: found.get(k) for k in ("size", "sha256", "unreadable")}, **scoring},
                      sort_keys=True)


def _stored_fingerprint(shard: Path) -> str | None:
    """The fingerprint a finished shard was made from; None if absent or unreadable."""
    if not shard.is_file():
        return None
    import pyarrow.parquet as pq

    try:
        metadata = pq.read_schema(shard).metadata or {}
    except Exception:  # noqa: BLE001 - a damaged shard is simply made again
        return None
    value = metadata.get(FINGERPRINT_KEY.encode())
    return value.decode() if value else None


def score_files_with_ray(args) -> int:
    check_options(args)
    ray = _ray()
    files = expand_inputs(args.inputs)
    if STDIN in files:  # a shard is skipped by its input's fingerprint, which a pipe has not
        raise BatchError("--engine ray scores files: write standard input to a file first")
    check_text_field(files, args.text_field)
    out_dir = Path(args.output)
    if out_dir.suffix.lower() in (".jsonl", ".parquet"):
        raise BatchError(f"{out_dir}: with --engine ray, -o names a folder for Parquet shards")
    out_dir.mkdir(parents=True, exist_ok=True)
    inside = [p for p in files if out_dir.resolve() in p.resolve().parents]
    if inside:
        raise BatchError(f"-o {out_dir} holds the input {inside[0]}; its shards would be read "
                         "as inputs on the next run: write them to another folder")
    with output_lock(out_dir):  # one run per shard folder; a second exits 2 at once
        return _score_shards(args, ray, files, out_dir)


def _score_shards(args, ray, files: list[Path], out_dir: Path) -> int:
    """Score every input whose shard is missing or was made from other bytes."""
    model_path = str(Path(args.model or DEFAULT_MODEL).resolve())
    # Load once here, so that a bad model folder or --threshold stops the run with a message
    # (inside the actors it would surface as a Ray ActorDiedError); the driver keeps the labels.
    model = load_model(model_path, precision="fp32")
    thresholds_array(model, args.threshold)
    labels, model = model.labels, None
    shards = {shard_name(p): p for p in files}
    if len(shards) != len(files):
        raise BatchError("two inputs map to the same shard name; pass each file once")
    scoring = {"model_sha256": model_fingerprint(model_path), "threshold": args.threshold,
               "text_field": args.text_field, "id_field": args.id_field,
               # as for a local --resume: scores move in the last digits with these
               "batch_size": args.batch_size or SCORING_DEFAULTS["batch_size"],
               "precision": args.precision, "device": args.device or SCORING_DEFAULTS["device"]}
    fingerprints = {name: _input_fingerprint(path, scoring) for name, path in shards.items()}
    pending = {name: path for name, path in shards.items()
               if _stored_fingerprint(out_dir / name) != fingerprints[name]}
    print(f"{len(shards) - len(pending)} of {len(shards)} shards already written; "
          f"scoring {len(pending)}", file=sys.stderr)
    if not pending:
        return 0
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=args.address, include_dashboard=False, log_to_driver=True,
                 **({} if args.address else {"num_cpus": os.cpu_count()}))
    context = ray.data.DataContext.get_current()
    saved = context.execution_options.preserve_order, context.target_max_block_size
    context.execution_options.preserve_order = True
    # Small blocks, about one chunk each, so that all actors share the chunks of one file
    # (with Ray's default of 128 MiB a whole file is one block, scored by one actor).
    context.target_max_block_size = BLOCK_BYTES
    try:
        workers = max(1, getattr(args, "workers", None) or 1)
        items = [{"path": str(p), "shard": n, "text_field": args.text_field}
                 for n, p in pending.items()]
        ds = (ray.data.from_items(items, override_num_blocks=len(items))
              .flat_map(_file_chunks, num_cpus=0))  # reading never waits behind the actors
        ds = ds.map_batches(
            _ChunkScorer,
            fn_constructor_args=(model_path, args.threshold, args.text_field, args.id_field,
                                 args.device, args.precision, args.batch_size or 64, 1),
            batch_size=1, concurrency=workers, **_actor_options(args.device),
        )
        # Results stream back to the driver in input order, so each shard is complete when
        # the next one starts; the driver writes it (no shared output filesystem needed).
        writer = _ShardWriter(out_dir, labels,
                              {name: {FINGERPRINT_KEY: fingerprints[name]} for name in pending})
        for row in ds.iter_rows():
            writer.add(row["shard"], row["outputs"])
        for shard in pending.keys() - writer.written.keys():
            writer.write_empty(shard)
        writer.close()
    finally:
        context.execution_options.preserve_order, context.target_max_block_size = saved
        if started_here:
            ray.shutdown()
    total = sum(writer.written.values())
    print(f"wrote {len(writer.written)} shards, {total} records, to {out_dir}", file=sys.stderr)
    return 0 if total else 1
