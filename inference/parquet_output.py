"""Turn the scored JSON-lines work file into Parquet, in bounded memory.

The columns are fixed, so every row group shares one schema whatever the records hold:
`id`, `spans` (list of {start, end, text, label, score}), `summary` ({label: {max_score,
spans}}, null for error records), `error` (null when scored), and every other input field as
a text column (strings as they were; numbers, lists and objects as JSON).
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["jsonl_to_parquet", "output_schema"]

ROWS_PER_GROUP = 10_000
FIXED = ("id", "spans", "summary", "error")

SPAN = pa.struct([("start", pa.int64()), ("end", pa.int64()), ("text", pa.string()),
                  ("label", pa.string()), ("score", pa.float64())])


def output_schema(labels: list[str], extra_fields: list[str]) -> pa.Schema:
    per_label = pa.struct([("max_score", pa.float64()), ("spans", pa.int64())])
    summary = pa.struct([(label, per_label) for label in labels])
    fields = [("id", pa.string()), ("spans", pa.list_(SPAN)), ("summary", summary),
              ("error", pa.string())]
    fields += [(name, pa.string()) for name in extra_fields]
    return pa.schema(fields)


def _as_text(value):
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def jsonl_to_parquet(source: Path, target: Path, labels: list[str],
                     metadata: dict[str, str] | None = None) -> None:
    """Write `target` from the JSON lines in `source`; `metadata` goes into the file's schema
    (the Ray engine stores each shard's input fingerprint there)."""
    extra: dict[str, None] = {}
    with source.open(encoding="utf-8") as handle:
        for line in handle:
            for key in json.loads(line):
                if key not in FIXED:
                    extra.setdefault(key)
    schema = output_schema(labels, list(extra))
    if metadata:
        schema = schema.with_metadata(metadata)
    with pq.ParquetWriter(target, schema) as writer, source.open(encoding="utf-8") as handle:
        rows: list[dict] = []
        for line in handle:
            record = json.loads(line)
            row = {name: record.get(name) for name in FIXED}
            row.update({name: _as_text(record.get(name)) for name in extra})
            rows.append(row)
            if len(rows) >= ROWS_PER_GROUP:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                rows = []
        if rows:
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))
