"""Real sentences labelled by reading (`data/annotated/`), turned into training examples.

Every row of `data/annotated/*.jsonl` is one sentence a reader labelled against
`data/annotation_guide.md`, with its provenance:

    {"id": "ptc-111111113-0004", "source": "ptc", "doc_id": "111111113", "start": 812,
     "end": 951, "sha1": "3f2a...", "split": "test", "selected_by": "whole_article",
     "labels": [], "annotator": "reader-2", "method": "read", "status": "reviewed"}

PTC rows (Propaganda Techniques Corpus, Da San Martino et al., EMNLP 2019) hold offsets, not
text: the articles are for research use and stay out of the repository, so their text is read
from the corpus folder the user gives (`framescope data --ptc PATH`) and checked against the
stored `sha1` of each sentence. EUvsDisinfo rows (EU East StratCom Task Force) carry their
title text, the reviewed `labels` and the keyword-derived `weak_labels` they replace.

`split` was fixed before any model saw these labels: `test` is never used for training or
thresholds, `dev` only for early stopping and thresholds.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..resources import DATA_DIR
from .data import DataError, Example

__all__ = ["ANNOTATED_DIR", "read_annotations", "ptc_articles", "annotated_examples",
           "sentence_sha1"]

ANNOTATED_DIR = DATA_DIR / "annotated"
ANNOTATION_FILES = ("ptc.jsonl", "euvsdisinfo.jsonl")


def sentence_sha1(text: str) -> str:
    """A short fingerprint of a sentence, to check that a PTC copy matches the annotations."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def read_annotations(folder: Path = ANNOTATED_DIR) -> list[dict]:
    """All reviewed rows of the annotation files, in file order."""
    rows = []
    for name in ANNOTATION_FILES:
        path = Path(folder) / name
        if not path.is_file():
            continue
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError as error:
                        raise DataError(f"{path}:line {number}: not valid JSON ({error.msg})") from None
    return rows


def ptc_articles(ptc: str | Path) -> dict[str, str]:
    """PTC article texts by id, read from `ptc/train-articles/article<ID>.txt`."""
    folder = Path(ptc) / "train-articles"
    articles = {p.stem.removeprefix("article"): p.read_text("utf-8")
                for p in sorted(folder.glob("article*.txt"))}
    if not articles:
        raise DataError(f"{folder}: no article*.txt files; --ptc must be the PTC folder "
                        "holding train-articles/")
    return articles


def annotated_examples(ptc: str | Path | None, folder: Path = ANNOTATED_DIR,
                       weight: float = 1.0) -> list[Example]:
    """Examples from the reviewed rows; PTC rows only when `ptc` is given.

    Each example keeps its provenance (source, doc_id, offsets, split, selected_by,
    annotator, weak_labels) in `extra`, so a built data file says where every label came from.
    """
    articles = ptc_articles(ptc) if ptc is not None else {}
    examples = []
    for row in read_annotations(folder):
        if row.get("status") != "reviewed":
            continue
        if row["source"] == "ptc":
            if ptc is None:
                continue
            article = articles.get(row["doc_id"])
            if article is None:
                raise DataError(f"{ptc}: article {row['doc_id']} (annotation {row['id']}) is missing")
            text = article[row["start"]:row["end"]]
            if sentence_sha1(text) != row["sha1"]:
                raise DataError(f"{ptc}: article {row['doc_id']} differs from the annotated copy "
                                f"at {row['start']}-{row['end']} (annotation {row['id']})")
        else:
            text = row["text"]
        extra = {k: row[k] for k in ("id", "source", "doc_id", "start", "end", "split",
                                     "selected_by", "annotator", "weak_labels", "date")
                 if k in row}
        examples.append(Example(text, sorted(row["labels"]), {**extra, "weight": weight}))
    return examples
