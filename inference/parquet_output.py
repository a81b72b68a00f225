"""Turn the scored JSON-lines work file into Parquet, in bounded memory.

The columns are fixed, so every row group shares one schema whatever the records hold:
`id`, `spans` (list of {start, end, text, label, score}), `summary` ({label: {max_score,
spans}}, null for error records), `error` (null when scored), and every other input field as
a text column: strings as they were, or, in a field where any value is a number, list or
object, every value as JSON. Those fields are named in the schema metadata
(`framescope.json_fields`), so a reader can turn them back unambiguously (`framescope report`
does: a list of sources stays a list).
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["jsonl_to_parquet", "output_schema", "json_fields"]

JSON_FIELDS_KEY = b"framescope.json_fields"

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


def _as_text(value, as_json: bool):
    if value is None or (isinstance(value, str) and not as_json):
        return value
    return json.dumps(value, ensure_ascii=False)


def jsonl_to_parquet(source: Path, target: Path, labels: list[str],
                     metadata: dict[str, str] | None = None) -> None:
    """Write `target` from the JSON lines in `source`; `metadata` goes into the file's schema
    (the Ray engine stores each shard's input fingerprint there)."""
    extra: dict[str, bool] = {}  # field -> some value is not a string (store it all as JSON)
    with source.open(encoding="utf-8") as handle:
        for line in handle:
            for key, value in json.loads(line).items():
                if key not in FIXED:
                    extra[key] = extra.get(key, False) or not (value is None or isinstance(value, str))
    schema = output_schema(labels, list(extra))
    encoded = [key for key, as_json in extra.items() if as_json]
    schema = schema.with_metadata({**(metadata or {}),
                                   JSON_FIELDS_KEY.decode(): json.dumps(encoded)})
    with pq.ParquetWriter(target, schema) as writer, source.open(encoding="utf-8") as handle:
        rows: list[dict] = []
        for line in handle:
            record = json.loads(line)
            row = {name: record.get(name) for name in FIXED}
            row.update({name: _as_text(record.get(name), as_json) for name, as_json in extra.items()})
            rows.append(row)
            if len(rows) >= ROWS_PER_GROUP:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                rows = []
        if rows:
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))


def json_fields(schema: pa.Schema) -> list[str]:
    """The text columns of a framescope Parquet file that hold JSON (numbers, lists, objects)."""
    return json.loads((schema.metadata or {}).get(JSON_FIELDS_KEY, b"[]"))
