"""`framescope sample`: choose the sentences of a corpus worth a reader's time.

    framescope sample scored.jsonl -o review.jsonl --n 300 [--labels reviewed.jsonl] [--blind]

A model may choose *which* sentences a person reads, never what their labels are. Four pools:

* **disagrees** - sentences that already have labels (`--labels`, an earlier review or a
  training file) where the model's labels differ: either the model or the label is wrong;
* **near_threshold** - some label's score within `--margin` of its threshold: the sentences
  whose labels would teach the model most;
* **flagged** - sentences the model flags: the precision of the counts rests on them;
* **random** - a share drawn uniformly from every sentence not yet labelled, so the reviewed
  set also measures what the model misses and is not only a picture of the model's own choices.

Each pool is a seeded reservoir sample (memory bounded by `--n`, whatever the corpus size).
Sentences that already have labels and agree with the model are not offered again.
The output is a review file (JSON lines) that `framescope review` turns into a page, that
`framescope labelstudio export` turns into Label Studio tasks, and that `framescope train`
reads once its rows are reviewed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

__all__ = ["ReviewSampler", "read_existing_labels", "sample_command", "POOLS"]

POOLS = ("disagrees", "near_threshold", "flagged", "random")


class _Reservoir:
    """Algorithm R: a uniform sample of `size` items from a stream of unknown length."""

    def __init__(self, size: int, rng: random.Random) -> None:
        self.size, self.rng, self.items, self.seen = size, rng, [], 0

    def offer(self, item) -> None:
        self.seen += 1
        if len(self.items) < self.size:
            self.items.append(item)
        else:
            slot = self.rng.randrange(self.seen)
            if slot < self.size:
                self.items[slot] = item

    def draw(self) -> list:
        """The sample in random order. Algorithm R leaves early items in their first slots, so
        a prefix of `items` favours the start of the stream; a prefix of this is uniform too."""
        items = list(self.items)
        self.rng.shuffle(items)
        return items


@dataclass
class ReviewSampler:
    """Pick `n` sentences to review from scored sentences (see the module docstring)."""

    n: int = 200
    random_share: float = 0.25
    margin: float = 0.1
    seed: int = 0
    blind: bool = False

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError(f"n must be at least 1, not {self.n}")
        if not 0.0 <= self.random_share <= 1.0:
            raise ValueError(f"random share must be in [0, 1], not {self.random_share}")
        if not 0.0 < self.margin < 1.0:
            raise ValueError(f"margin must be in (0, 1), not {self.margin}")

    def sample(self, documents: Iterable[tuple[str, str, str]], model,
               existing: dict | None = None) -> list[dict]:
        """`documents` yields `(doc_id, text, where)`; returns review rows in document order."""
        from framescope.inference.predict import score_sentences

        existing = existing or {}
        rng = random.Random(self.seed)
        pools = {name: _Reservoir(self.n, rng) for name in POOLS}
        batch: list[tuple[str, str, str]] = []

        def flush() -> None:
            for (doc_id, text, where), sentences in zip(batch, score_sentences(
                    [t for _, t, _ in batch], model)):
                self._offer_document(doc_id, text, where, sentences, model, existing, pools)
            batch.clear()

        for document in documents:
            batch.append(document)
            if len(batch) >= 64:
                flush()
        flush()
        return self._choose(pools)

    def _offer_document(self, doc_id, text, where, sentences, model, existing, pools) -> None:
        thresholds = model.thresholds
        previous = ""
        for sentence in sentences:
            predicted = sorted(l for l, s in sentence.scores.items() if s >= thresholds[l])
            row = {"id": f"{doc_id}:{sentence.start}-{sentence.end}", "doc_id": doc_id,
                   "start": sentence.start, "end": sentence.end, "text": sentence.text,
                   "context": previous, "source": where}
            if self.blind:  # not shown to the reader; `report --reviewed` checks them
                row.update(blind=True, sampled_flags=predicted)
            else:
                row["suggested"] = predicted
                row["scores"] = {l: round(s, 3) for l, s in sentence.scores.items()}
            previous = sentence.text
            known = existing.get((doc_id, sentence.start, sentence.end), existing.get(sentence.text))
            if known is not None:
                row["existing"] = known
                if sorted(known) != predicted:
                    pools["disagrees"].offer(row)
                continue  # already read, and the model agrees: nothing to learn here
            pools["random"].offer(row)
            if any(abs(s - thresholds[l]) <= self.margin for l, s in sentence.scores.items()):
                pools["near_threshold"].offer(row)
            if predicted:
                pools["flagged"].offer(row)

    def _choose(self, pools: dict) -> list[dict]:
        """The random share first, then disagreements, then near-threshold and flagged in turn;
        if those run out before `n`, more random sentences."""
        chosen: dict[str, dict] = {}
        drawn = {name: pool.draw() for name, pool in pools.items()}

        def take(row: dict, why: str) -> None:
            chosen.setdefault(row["id"], {**row, "why": []})["why"].append(why)

        share = int(self.n * self.random_share + 0.5)  # halves round up
        for row in drawn["random"][:share]:
            take(row, "random")
        for row in drawn["disagrees"]:
            if len(chosen) >= self.n:
                break
            take(row, "disagrees")
        turns = [iter(drawn["near_threshold"]), iter(drawn["flagged"])]
        names = ["near_threshold", "flagged"]
        while len(chosen) < self.n and turns:
            for k in range(len(turns) - 1, -1, -1):
                if len(chosen) >= self.n:
                    break
                row = next(turns[k], None)
                if row is None:
                    del turns[k], names[k]
                elif row["id"] in chosen:
                    chosen[row["id"]]["why"].append(names[k])
                else:
                    take(row, names[k])
        for row in drawn["random"][share:]:  # pools too small to fill n: top up at random
            if len(chosen) >= self.n:
                break
            # Rows of the random draw that were chosen for another reason say "random" too, so
            # the rows marked "random" stay one unbroken stretch of the draw, uniform over the
            # corpus (skipping them would leave the top-up with unflagged sentences only).
            if row["id"] in chosen:
                chosen[row["id"]]["why"].append("random")
            else:
                take(row, "random")
        rows = sorted(chosen.values(), key=lambda r: (str(r["doc_id"]), r["start"]))
        for row in rows:
            row.update(labels=None, status="pending")
        return rows


def read_existing_labels(path: str | Path) -> dict:
    """Labels a corpus already has: `{(doc_id, start, end) or text: [labels]}`.

    Reads a reviewed review file (`doc_id`, `start`, `end`, `labels`) or a training file in
    JSON lines (`text`, `labels`); rows still pending are ignored.
    """
    from .review_page import json_lines

    existing = {}
    for _, row in json_lines(path):
        if not isinstance(row, dict) or row.get("status") == "pending" or not isinstance(
                row.get("labels"), list):
            continue
        if {"doc_id", "start", "end"} <= row.keys():
            existing[(str(row["doc_id"]), row["start"], row["end"])] = row["labels"]
        elif "text" in row:
            existing[row["text"]] = row["labels"]
    return existing


def _documents(inputs: list[str], text_field: str, id_field: str, skipped: list) -> Iterator:
    """`(doc_id, text, where)` per scorable record. A review row is keyed by document id and
    offsets, so two records with one id would be confused: that stops the run, naming both."""
    from framescope.inference.batch import expand_inputs, read_records

    seen: dict[str, str] = {}
    for record in read_records(expand_inputs(inputs), text_field):
        if record.error is not None:
            skipped.append(f"{record.where}: {record.error}")
            continue
        given = record.fields.get(id_field)
        doc_id = str(given) if given is not None else record.where
        if doc_id in seen:
            raise ValueError(f"{record.where}: document id {doc_id!r} was already used by "
                             f"{seen[doc_id]}; review rows need one id per document (give "
                             "--id-field a unique field; a .txt file's id is its file name)")
        seen[doc_id] = record.where
        yield doc_id, record.fields[text_field], record.where


def sample_command(args) -> int:
    import sys

    from framescope.inference.predict import DEFAULT_MODEL, load_model

    from .outputs import check_output_folder, write_json_lines

    from framescope.inference.batch import check_text_field, expand_inputs

    sampler = ReviewSampler(n=args.n, random_share=args.random_share, margin=args.margin,
                            seed=args.seed, blind=args.blind)
    output = check_output_folder(args.output)
    check_text_field(expand_inputs(args.inputs), args.text_field)  # "(--text-field body?)"
    existing = read_existing_labels(args.labels) if args.labels else {}
    model = load_model(args.model or DEFAULT_MODEL)
    skipped: list[str] = []
    rows = sampler.sample(_documents(args.inputs, args.text_field, args.id_field, skipped),
                          model, existing)
    write_json_lines(output, rows)
    counts = {name: sum(name in r["why"] for r in rows) for name in POOLS}
    print(f"{len(rows)} sentences to review written to {output}; chosen as "
          f"{', '.join(f'{k} {v}' for k, v in counts.items())} (a sentence can be in several "
          "pools: a random one that the model flags counts as flagged too)", file=sys.stderr)
    if skipped:
        print(f"{len(skipped)} records could not be read and were skipped; first: {skipped[0]}",
              file=sys.stderr)
    return 0
