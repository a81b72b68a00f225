"""Build the default training data: real sentences read by people, EUvsDisinfo titles, curated.

    framescope data --ptc ../shared/data/ptc --out data/build/default

writes `train.jsonl`, `dev.jsonl` and `test.jsonl` in the user-facing format
(`{"text", "labels", ...}`, with `source`, `weight` and provenance fields).

* Real sentences labelled by reading (`data/annotated/`, see `real_text.py`): PTC news
  sentences and EUvsDisinfo titles, each in the split fixed when it was chosen for reading.
  Dev (early stopping, thresholds) and test (reporting only) are real text only.
* EUvsDisinfo titles (data/raw/euvsdisinfo/) before March 2020: one example per distinct title,
  labels through the keyword map (weak: keywords were given to a whole case, not to its title);
  a title that was read and relabelled is used with its reviewed labels instead. Titles from
  March 2020 on are the dev/test months: only their reviewed samples are used. A training title
  that is an exact or near duplicate (character 3-5-gram TF-IDF cosine >= 0.8) of a dev or test
  sentence is dropped, so the splits measure generalisation, not memory.
* The same holds for every training example (PTC sentences too: PTC has near-copies of some
  articles under other ids), and a dev sentence that is a copy of a test sentence leaves dev.
* Curated sentences (data/curated/*.yaml), written to the label definitions: training only.
* Each source counts in the loss by how far its labels can be trusted (`*_WEIGHT` below).
* Training examples with British spellings ("colour", "organise") are added a second time
  with American ones; dev and test keep their text as written.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer

from framescope.inference.taxonomy import Taxonomy

from ..resources import DATA_DIR
from .data import Example, read_examples, write_jsonl
from .real_text import annotated_examples

__all__ = ["build_default_data", "euvsdisinfo_examples"]

CASES = DATA_DIR / "raw" / "euvsdisinfo" / "cases_2015-01_2020-06.csv"
KEYWORD_MAP = DATA_DIR / "raw" / "euvsdisinfo" / "framing_keyword_map.json"
CURATED_DIR = DATA_DIR / "curated"
TAXONOMY = DATA_DIR / "taxonomy.yaml"
NEAR_DUPLICATE_COSINE = 0.8
# How far each source's labels can be trusted, as a weight in the loss: keywords given to a
# whole case (weak), sentences written to the definitions (clean but invented), real sentences
# labelled by reading (clean and real).
WEAK_WEIGHT = 0.5
# Curated sentences were a tenth of the data at weight 4 (15% of the weighted loss); now they
# are a twentieth, and 8 gives them about 10%: enough to keep the paraphrase and example-article
# behaviour they teach (data/README.md, "How the shipped model was chosen").
CURATED_WEIGHT = 8.0
REVIEWED_WEIGHT = 4.0
# Read PTC sentences that carry a framing: real news prose as users' corpora hold it, but only
# 174 of the 10,925 read PTC training sentences; three times the weight of other read sentences.
READ_PTC_FRAMING_WEIGHT = 12.0
# Titles from this month on belong to the real-text dev (2020-03/04) and test (2020-05/06)
# months; only their reviewed samples are used, never their weak labels.
REAL_TEXT_FROM = "2020-03"


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


def _drop_near_duplicates(train: list[Example], held_out: list[Example]) -> tuple[list[Example], int]:
    """Training examples too close to a dev or test sentence go, so the splits stay apart."""
    if not held_out:
        return train, 0
    vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    train_matrix = vectoriser.fit_transform([_normalise(e.text) for e in train])
    held_matrix = vectoriser.transform([_normalise(e.text) for e in held_out])
    nearest = (train_matrix @ held_matrix.T).max(axis=1).toarray().ravel()
    kept = [e for e, cosine in zip(train, nearest) if cosine < NEAR_DUPLICATE_COSINE]
    return kept, len(train) - len(kept)


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


def build_default_data(out_dir: str | Path, ptc: str | Path | None = None) -> dict:
    """Write train.jsonl, dev.jsonl and test.jsonl under `out_dir`; return a summary.

    Without `ptc` (the Propaganda Techniques Corpus folder) the PTC annotations are left out
    and dev/test hold only reviewed EUvsDisinfo titles: the shipped model is built with it.
    """
    out_dir = Path(out_dir)
    taxonomy = Taxonomy.load(TAXONOMY)
    reviewed = annotated_examples(ptc, weight=REVIEWED_WEIGHT)
    by_split = {split: [e for e in reviewed if e.extra["split"] == split]
                for split in ("train", "dev", "test")}
    reviewed_titles = {_normalise(e.text): e for e in reviewed if e.extra["source"] == "euvsdisinfo"}

    titles, replaced = [], 0
    for example in euvsdisinfo_examples():
        if example.extra["date"][:7] >= REAL_TEXT_FROM:
            continue  # the months of the real-text dev and test titles
        review = reviewed_titles.get(_normalise(example.text))
        if review is not None:
            replaced += 1  # its reviewed row (in by_split["train"]) replaces the weak one
            continue
        example.extra["weight"] = WEAK_WEIGHT
        titles.append(example)
    curated = [e for path in sorted(CURATED_DIR.glob("*.yaml")) for e in read_examples(path, taxonomy)]
    for example in curated:
        example.extra.update(source="curated", weight=CURATED_WEIGHT)
    # PTC holds near-copies of some articles under other ids, so a test sentence can recur
    # (word for word or nearly) in a train or dev article: such copies leave train, and dev
    # (which the default model is trained on too, cross-fitted).
    dev, _ = _drop_near_duplicates(by_split["dev"], by_split["test"])
    train, dropped = _drop_near_duplicates(titles + curated + by_split["train"],
                                           dev + by_split["test"])
    for example in train:
        if example.extra.get("source") == "ptc" and example.labels:
            example.extra["weight"] = READ_PTC_FRAMING_WEIGHT
    train = _with_american_variants(train)
    files = {"train": train, "dev": dev, "test": by_split["test"]}
    for name, examples in files.items():
        write_jsonl(examples, out_dir / f"{name}.jsonl")
    summary = {
        "ptc": str(ptc) if ptc is not None else None,
        "weights": {"weak_euvsdisinfo": WEAK_WEIGHT, "curated": CURATED_WEIGHT,
                    "reviewed": REVIEWED_WEIGHT,
                    "reviewed_ptc_with_a_framing": READ_PTC_FRAMING_WEIGHT},
        "weak_titles_replaced_by_reviewed": replaced,
        "train_examples_dropped_as_near_duplicates_of_dev_or_test": dropped,
        "dev_sentences_dropped_as_copies_of_test": len(by_split["dev"]) - len(dev),
        **{name: _counts(examples, taxonomy) for name, examples in files.items()},
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
