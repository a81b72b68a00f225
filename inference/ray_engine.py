"""Scoring on a Ray cluster with Ray Data: `framescope predict --engine ray INPUT... -o DIR`.

Same records, same errors, same output fields as the local engine (it reuses its reader and
scorer); only the work is spread over Ray actors, each loading the model once.

* Every input file is one *shard*; its output is `DIR/<file stem>-<hash of its path>.parquet`.
  Shards already written are skipped, so a killed run resumes where it stopped. Each shard file
  is written to a temporary name and renamed, so a shard is either complete or absent.
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

from .batch import BatchError, Record, expand_inputs, read_records, score_records, text_problem
from .modeling import ModelSettings
from .predict import DEFAULT_MODEL, load_model, thresholds_array

__all__ = ["predict_dataset", "score_files_with_ray", "shard_name"]

RECORDS_PER_BATCH = 256


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
    """A Ray actor: loads the model once, then scores batches of records."""

    def __init__(self, model_path: str, threshold, text_field: str, id_field: str,
                 device: str | None, precision: str, threads: int) -> None:
        import torch

        torch.set_num_threads(max(1, threads))
        self.model = load_model(model_path, device=device, precision=precision)
        self.cut = thresholds_array(self.model, threshold)
        self.text_field, self.id_field = text_field, id_field

    def _score(self, records: list[Record]) -> list[dict]:
        return list(score_records(records, self.model, self.cut, RECORDS_PER_BATCH,
                                  self.text_field, self.id_field))


class _FileRecordScorer(_Scorer):
    """Rows from `_file_rows` in; one JSON output record per row out (order kept)."""

    def __call__(self, batch: dict) -> dict:
        records = [Record(where, json.loads(fields), error or None)
                   for where, fields, error in zip(batch["where"], batch["fields"], batch["error"])]
        outputs = self._score(records)
        return {"shard": list(batch["shard"]), "order": list(batch["order"]),
                "output": [json.dumps(o, ensure_ascii=False) for o in outputs]}


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


def _file_rows(row: dict) -> list[dict]:
    """All records of one input file, as rows (the same reader as the local engine)."""
    path = Path(row["path"])
    return [{"shard": row["shard"], "order": order, "where": record.where,
             "fields": json.dumps(record.fields, ensure_ascii=False, default=str),
             "error": record.error or ""}
            for order, record in enumerate(read_records([path], row["text_field"]))]


class _ShardWriter:
    """Collects one shard's output records (arriving in order) and publishes it atomically."""

    def __init__(self, out_dir: Path, labels: list[str]) -> None:
        self.out_dir, self.labels = out_dir, labels
        self.shard: str | None = None
        self.handle = None
        self.written: dict[str, int] = {}

    def add(self, shard: str, output: str) -> None:
        if shard != self.shard:
            self.close()
            self.shard = shard
            self.handle = (self.out_dir / f"{shard}.jsonl.tmp").open("w", encoding="utf-8")
            self.written[shard] = 0
        self.handle.write(output + "\n")
        self.written[shard] += 1

    def close(self) -> None:
        if self.handle is None:
            return
        from .parquet_output import jsonl_to_parquet

        self.handle.close()
        work = self.out_dir / f"{self.shard}.jsonl.tmp"
        tmp = self.out_dir / f"{self.shard}.tmp"
        jsonl_to_parquet(work, tmp, self.labels)
        os.replace(tmp, self.out_dir / self.shard)
        work.unlink()
        self.handle = None


def _actor_options(device: str | None) -> dict:
    if device == "cuda":
        return {"num_gpus": 1}
    return {"num_cpus": 1}


def predict_dataset(ds, model: str | Path | None = None, *, text_field: str = "text",
                    id_field: str = "id", threshold=None, device: str | None = None,
                    precision: str = "auto", concurrency: int = 1):
    """Score a `ray.data.Dataset` with a text column; returns a Dataset with `id`, `spans`,
    `summary` and `error` added to every row (errors as in the local engine)."""
    model_path = str(Path(model or DEFAULT_MODEL).resolve())
    return ds.map_batches(
        _DatasetScorer,
        fn_constructor_args=(model_path, threshold, text_field, id_field, device, precision, 1),
        batch_format="pandas", batch_size=RECORDS_PER_BATCH, concurrency=concurrency,
        **_actor_options(device),
    )


def score_files_with_ray(args) -> int:
    ray = _ray()
    files = expand_inputs(args.inputs)
    out_dir = Path(args.output)
    if out_dir.suffix.lower() in (".jsonl", ".parquet"):
        raise BatchError(f"{out_dir}: with --engine ray, -o names a folder for Parquet shards")
    out_dir.mkdir(parents=True, exist_ok=True)
    model_path = str(Path(args.model or DEFAULT_MODEL).resolve())
    labels = ModelSettings.load(model_path).labels  # the driver only needs the label order
    shards = {shard_name(p): p for p in files}
    if len(shards) != len(files):
        raise BatchError("two inputs map to the same shard name; pass each file once")
    pending = {name: path for name, path in shards.items() if not (out_dir / name).exists()}
    print(f"{len(shards) - len(pending)} of {len(shards)} shards already written; "
          f"scoring {len(pending)}", file=sys.stderr)
    if not pending:
        return 0
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=args.address, include_dashboard=False, log_to_driver=True,
                 **({} if args.address else {"num_cpus": os.cpu_count()}))
    try:
        workers = max(1, getattr(args, "workers", None) or 1)
        items = [{"path": str(p), "shard": n, "text_field": args.text_field}
                 for n, p in pending.items()]
        ray.data.DataContext.get_current().execution_options.preserve_order = True
        ds = ray.data.from_items(items).flat_map(_file_rows, num_cpus=0)  # never wait behind actors
        ds = ds.map_batches(
            _FileRecordScorer,
            fn_constructor_args=(model_path, args.threshold, args.text_field, args.id_field,
                                 args.device, args.precision, 1),
            batch_size=RECORDS_PER_BATCH, concurrency=workers, **_actor_options(args.device),
        )
        # Results stream back to the driver in input order, so each shard is complete when
        # the next one starts; the driver writes it (no shared output filesystem needed).
        writer = _ShardWriter(out_dir, labels)
        for batch in ds.iter_batches(batch_size=RECORDS_PER_BATCH, batch_format="numpy"):
            for shard, output in zip(batch["shard"], batch["output"]):
                writer.add(str(shard), str(output))
        writer.close()
    finally:
        if started_here:
            ray.shutdown()
    total = sum(writer.written.values())
    print(f"wrote {len(writer.written)} shards, {total} records, to {out_dir}", file=sys.stderr)
    return 0 if total else 1
