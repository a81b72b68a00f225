"""Build the default training data: EUvsDisinfo case titles + hand-written sentences.

    framescope data --out data/build/default

writes `train.jsonl` and `dev.jsonl` in the user-facing format (`{"text", "labels", ...}`).

* EUvsDisinfo titles (data/raw/euvsdisinfo/): one example per distinct title, labels through
  the keyword map; a title with no mapped keyword is a negative for every label. These are weak
  labels: keywords were given to a whole case, not to its title.
* Dev is *temporal*: the latest months (about `dev_fraction` of titles). A dev title that is an
  exact or near duplicate (character 3-5-gram TF-IDF cosine >= 0.8) of any training title is
  dropped, so the split measures generalisation, not memory.
* Training examples with British spellings ("colour", "organise") are added a second time
  with American ones; dev keeps its text as written.
* Curated sentences (data/curated/*.yaml): split 80/20 by a stable hash of the
  text, so the same sentence always lands on the same side.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer

from framescope.inference.taxonomy import Taxonomy

from ..resources import DATA_DIR
from .data import Example, read_examples, write_jsonl

__all__ = ["build_default_data", "euvsdisinfo_examples"]

CASES = DATA_DIR / "raw" / "euvsdisinfo" / "cases_2015-01_2020-06.csv"
KEYWORD_MAP = DATA_DIR / "raw" / "euvsdisinfo" / "framing_keyword_map.json"
CURATED_DIR = DATA_DIR / "curated"
TAXONOMY = DATA_DIR / "taxonomy.yaml"
NEAR_DUPLICATE_COSINE = 0.8
CURATED_WEIGHT = 4.0


def euvsdisinfo_examples(cases: Path = CASES, keyword_map: Path = KEYWORD_MAP) -> list[Example]:
    """One example per distinct title (labels unioned over cases), with its date and outlets."""
    mapping = json.loads(keyword_map.read_text("utf-8"))
    keyword_to_label = {
        keyword.strip().lower(): label
        for label, entry in mapping.items()
        for keyword in entry["keywords"]
    }
    by_title: dict[str, Example] = {}
    with cases.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            title = " ".join(row["title"].split())
            if not title:
                continue
            keywords = [k.strip().lower() for k in row["keywords"].split("+")]
            labels = {keyword_to_label[k] for k in keywords if k in keyword_to_label}
            key = _normalise(title)
            if key in by_title:
                example = by_title[key]
                example.labels = sorted(set(example.labels) | labels)
                example.extra["date"] = min(example.extra["date"], row["date"])
            else:
                by_title[key] = Example(
                    title, sorted(labels),
                    {"source": "euvsdisinfo", "date": row["date"], "outlets": row["outlets"]},
                )
    return list(by_title.values())


def _normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _temporal_split(examples: list[Example], dev_fraction: float):
    """Dev = the latest whole months holding about `dev_fraction` of the titles."""
    months = Counter(e.extra["date"][:7] for e in examples)
    target, total, cutoff = dev_fraction * len(examples), 0, None
    for month in sorted(months, reverse=True):
        if total >= target:
            break
        total += months[month]
        cutoff = month
    train = [e for e in examples if e.extra["date"][:7] < cutoff]
    dev = [e for e in examples if e.extra["date"][:7] >= cutoff]
    return train, dev, cutoff


def _drop_near_duplicates(train: list[Example], dev: list[Example]) -> tuple[list[Example], int]:
    vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    train_matrix = vectoriser.fit_transform([_normalise(e.text) for e in train])
    dev_matrix = vectoriser.transform([_normalise(e.text) for e in dev])
    nearest = (dev_matrix @ train_matrix.T).max(axis=1).toarray().ravel()
    kept = [e for e, cosine in zip(dev, nearest) if cosine < NEAR_DUPLICATE_COSINE]
    return kept, len(dev) - len(kept)


# EUvsDisinfo titles and most curated sentences use British spelling ("colour revolution" 210
# times, "color revolution" twice); users' corpora are often American. Each training example
# with a British spelling below also goes in with the American one. Dev is left as written.
_AMERICAN = [(r"\bcolour", "color"), (r"\bColour", "Color"), (r"\bdefence\b", "defense"),
             (r"\bDefence\b", "Defense"), (r"\bneighbour", "neighbor"), (r"\bfavour", "favor"),
             (r"\bcentre", "center"), (r"\blabour", "labor"), (r"\bbehaviour", "behavior"),
             (r"\b(\w+)is(e|ed|es|ing|ation|ations)\b", None)]
_ISE_STEMS = {"organ", "destabil", "legitim", "normal", "demon", "real", "recogn", "critic",
              "mobil", "apolog", "legal", "modern", "radical", "militar", "polar", "central",
              "character", "jeopard", "util", "author", "capital", "privat", "neutral", "minim"}


def american_spelling(text: str) -> str:
    for pattern, replacement in _AMERICAN:
        if replacement is None:
            text = re.sub(pattern, lambda m: m.group(1) + "iz" + m.group(2)
                          if m.group(1).lower() in _ISE_STEMS else m.group(0), text)
        else:
            text = re.sub(pattern, replacement, text)
    return text


def _with_american_variants(examples: list[Example]) -> list[Example]:
    out = []
    for example in examples:
        out.append(example)
        variant = american_spelling(example.text)
        if variant != example.text:
            out.append(Example(variant, example.labels, {**example.extra, "variant": "en-US"}))
    return out


def _in_dev(text: str, dev_fraction: float) -> bool:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < dev_fraction


def build_default_data(out_dir: str | Path, dev_fraction: float = 0.12,
                       curated_dev_fraction: float = 0.2) -> dict:
    """Write train.jsonl / dev.jsonl under `out_dir`; return a summary for the data README."""
    out_dir = Path(out_dir)
    taxonomy = Taxonomy.load(TAXONOMY)
    titles = euvsdisinfo_examples()
    train, dev, cutoff = _temporal_split(titles, dev_fraction)
    dev, dropped = _drop_near_duplicates(train, dev)
    curated = [e for path in sorted(CURATED_DIR.glob("*.yaml")) for e in read_examples(path, taxonomy)]
    for example in curated:
        # Few but clean: each hand-written sentence counts as much as CURATED_WEIGHT titles.
        example.extra.update(source="curated", weight=CURATED_WEIGHT)
    train += [e for e in curated if not _in_dev(e.text, curated_dev_fraction)]
    # Dev keeps the weight too: threshold calibration counts clean sentences as training does.
    dev += [e for e in curated if _in_dev(e.text, curated_dev_fraction)]
    train = _with_american_variants(train)
    write_jsonl(train, out_dir / "train.jsonl")
    write_jsonl(dev, out_dir / "dev.jsonl")
    summary = {
        "dev_from_month": cutoff,
        "near_duplicates_dropped_from_dev": dropped,
        "train": _counts(train, taxonomy),
        "dev": _counts(dev, taxonomy),
    }
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", "utf-8")
    return summary


def _counts(examples: list[Example], taxonomy: Taxonomy) -> dict:
    labels = Counter(l for e in examples for l in e.labels)
    return {
        "examples": len(examples),
        "by_source": dict(Counter(e.extra.get("source", "?") for e in examples)),
        "negatives": sum(1 for e in examples if not e.labels),
        "per_label": {name: labels.get(name, 0) for name in taxonomy.names},
    }
