"""Reading labelled sentences, the format users train on.

Accepted files (by extension):

* `.jsonl` - one object per line: `{"text": "...", "labels": ["coup", ...]}`; an empty
  `labels` list is a negative for every label. Other fields are kept (e.g. `source`). Review
  files (`framescope sample` / `review` / `labelstudio import`) are read as they are: rows whose
  `status` is still `pending` are left out.
* `.csv` - columns `text` and `labels`, labels separated by `;` (or `|`), empty for none.
* `.yaml` - `{label: [sentence, ...], ..., none: [...], multi: [{text, labels}, ...]}`, the
  hand-writing form of `data/curated/framing_sentences.yaml` and `data/paraphrase_test.yaml`.

Every problem raises `DataError` naming the file, the line (or entry) and what is wrong, because
a user with 40,000 annotations needs to know *which* one is broken.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from framescope.inference.taxonomy import Taxonomy

__all__ = ["DataError", "Example", "crossfit_folds", "label_matrix", "read_examples", "write_jsonl"]


class DataError(ValueError):
    """Unusable training or evaluation data; the message names the file and line."""


@dataclass
class Example:
    text: str
    labels: list[str]
    extra: dict = field(default_factory=dict)

    @property
    def weight(self) -> float:
        """The optional `weight` field: how much this example counts in loss and calibration."""
        return float(self.extra.get("weight", 1.0))

    def to_dict(self) -> dict:
        return {"text": self.text, "labels": self.labels, **self.extra}


def read_examples(path: str | Path, taxonomy: Taxonomy) -> list[Example]:
    """Read and validate labelled examples from `path` against `taxonomy`."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    readers = {".jsonl": _read_jsonl, ".json": _read_jsonl, ".csv": _read_csv, ".yaml": _read_yaml,
               ".yml": _read_yaml}
    reader = readers.get(path.suffix.lower())
    if reader is None:
        raise DataError(f"{path}: unknown format; use .jsonl, .csv or .yaml")
    known = set(taxonomy.names)
    examples, pending = [], 0
    for where, record in reader(path):
        if isinstance(record, dict) and record.get("status") == "pending":
            pending += 1  # a review file's row nobody has decided yet
            continue
        examples.append(_validate(record, known, f"{path}:{where}"))
    if pending:
        logging.getLogger("framescope").warning(
            "%s: %d rows still pending review were left out", path, pending)
    if not examples:
        raise DataError(f"{path}: no examples" + (" reviewed yet" if pending else ""))
    return examples


def _validate(record: object, known: set[str], where: str) -> Example:
    if not isinstance(record, dict):
        raise DataError(f"{where}: expected an object with 'text' and 'labels'")
    if "text" not in record:
        raise DataError(f"{where}: missing 'text'")
    text = record["text"]
    if not isinstance(text, str) or not text.strip():
        raise DataError(f"{where}: 'text' is empty or not a string")
    if "labels" not in record:
        raise DataError(f"{where}: missing 'labels' (use [] for a sentence with no framing)")
    labels = record["labels"]
    if not isinstance(labels, list) or not all(isinstance(l, str) for l in labels):
        raise DataError(f"{where}: 'labels' must be a list of label names")
    unknown = sorted(set(labels) - known)
    if unknown:
        raise DataError(f"{where}: unknown label(s) {', '.join(unknown)}; not in the taxonomy")
    extra = {k: v for k, v in record.items() if k not in ("text", "labels")}
    if "weight" in extra:
        weight = extra["weight"]
        if (isinstance(weight, bool) or not isinstance(weight, (int, float, str))
                or not _finite_number(weight) or float(weight) < 0):
            raise DataError(f"{where}: 'weight' must be a number of at least 0, not {weight!r}")
    return Example(text=text, labels=sorted(set(labels)), extra=extra)


def _finite_number(value) -> bool:
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False


def _read_jsonl(path: Path):
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:  # a byte-order mark (Excel, Notepad) may open the file
                yield f"line {number}", json.loads(raw.decode("utf-8-sig" if number == 1 else "utf-8"))
            except UnicodeDecodeError:
                raise DataError(f"{path}:line {number}: not valid UTF-8") from None
            except json.JSONDecodeError as error:
                raise DataError(f"{path}:line {number}: not valid JSON ({error.msg})") from None


def _read_csv(path: Path):
    """Rows of a CSV file with `text` and `labels` columns. Strict: an unterminated quote, a
    row with more cells than the header or without its labels cell is an error, not a silently
    merged or unlabelled example."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle, strict=True)
            missing = {"text", "labels"} - set(reader.fieldnames or [])
            if missing:
                raise DataError(f"{path}:line 1: missing column(s) {', '.join(sorted(missing))}")
            for row in reader:
                where = f"line {reader.line_num}"
                if None in row or row["labels"] is None:
                    raise DataError(f"{path}:{where}: {'more' if None in row else 'fewer'} cells "
                                    "than the header")
                cell = row["labels"].replace("|", ";")
                labels = [l.strip() for l in cell.split(";") if l.strip()]
                yield where, {**row, "labels": labels}
    except csv.Error as error:
        raise DataError(f"{path}:line {reader.line_num}: not valid CSV ({error})") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: not valid UTF-8") from None


def _read_yaml(path: Path):
    try:
        raw = yaml.safe_load(path.read_text("utf-8-sig"))
    except yaml.YAMLError as error:
        raise DataError(f"{path}: not valid YAML ({error})") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: not valid UTF-8") from None
    if not isinstance(raw, dict):
        raise DataError(f"{path}: expected a mapping of label -> list of sentences")
    for key, sentences in raw.items():
        if not isinstance(sentences, list):
            raise DataError(f"{path}:{key}: expected a list of sentences")
        for position, item in enumerate(sentences, 1):
            where = f"{key}[{position}]"
            if key == "multi":
                yield where, item
            elif key == "none":
                yield where, {"text": item, "labels": []}
            else:
                yield where, {"text": item, "labels": [key]}


def write_jsonl(examples: list[Example], path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for example in examples:
            handle.write(json.dumps(example.to_dict(), ensure_ascii=False) + "\n")


def label_matrix(examples: list[Example], labels: list[str]) -> np.ndarray:
    """`(len(examples), len(labels))` 0/1 matrix of the examples' labels."""
    index = {label: j for j, label in enumerate(labels)}
    y = np.zeros((len(examples), len(labels)), dtype=np.float32)
    for i, example in enumerate(examples):
        for label in example.labels:
            y[i, index[label]] = 1.0
    return y


def crossfit_folds(examples: list[Example], folds: int) -> np.ndarray:
    """The fold of each example, 0 .. folds - 1: by a hash of its `doc_id` when it has one, so
    that the sentences of one article are never split between folds (they share names and
    topics, and would flatter the out-of-fold figures), else of its text. No seed: an example
    keeps its fold across runs and machines."""
    keys = [str(e.text if e.extra.get("doc_id") is None else e.extra["doc_id"]) for e in examples]
    fold = np.array([int(hashlib.sha1(k.encode("utf-8")).hexdigest(), 16) % folds for k in keys])
    empty = sorted(set(range(folds)) - set(fold.tolist()))
    if empty:
        raise ValueError(f"crossfit_dev={folds}: dev has too few documents to fill {folds} folds "
                         f"(fold {empty[0]} is empty); use fewer folds or a larger dev file")
    return fold
