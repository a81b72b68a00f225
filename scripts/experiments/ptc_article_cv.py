"""How well does a model trained as 6d was find framings in news prose it never trained on?

Dev holds 26 PTC sentences with a framing (16 of them in one article), too few to tell two
training recipes apart on prose. This script measures on the PTC training articles instead, by
cross-validation over articles: the 281 articles are cut into two folds by a hash of their id;
for each fold, run 3 is continued for one epoch (6d's recipe) on the training data less
that fold's articles, and then scores the fold. Only sentences first read in rounds 4 and 5
count (run 3 never trained on them); they are about three quarters of the articles.

    framescope data --ptc PTC_FOLDER --out data/build/default
    python scripts/experiments/ptc_article_cv.py RUN3_FOLDER OUT_FOLDER [--ptc-negative-weight W ...]

RUN3_FOLDER is models/default at commit 269adc9 (README, "Rebuild it"). Each weight given is a
recipe: the read PTC sentences without a framing count W in the loss (4 in the shipped
recipe). Two trainings per recipe, about 3 minutes each on 2 CPU cores. Prints precision,
recall and F1 of flags at several cuts.
"""

import argparse
import hashlib
from pathlib import Path

import numpy as np

from framescope.inference.taxonomy import Taxonomy
from framescope.train.arguments import TrainingArguments
from framescope.train.data import label_matrix, read_examples
from framescope.train.trainer import FramingTrainer

UNSEEN_BY_RUN3 = {"all_remaining_train_sentences", "top_scored_by_run3"}  # rounds 4 and 5
CUTS = (0.8, 0.875, 0.9, 0.95)


def fold_of(example) -> int:
    return int(hashlib.sha1(example.extra["doc_id"].encode()).hexdigest(), 16) % 2


def out_of_fold(run3: str, out: Path, negative_weight: float, train, dev, taxonomy):
    truth, scores = [], []
    for k in (0, 1):
        rows = []
        for e in train:
            if e.extra.get("source") == "ptc":
                if fold_of(e) == k:
                    continue
                if not e.labels:
                    e = type(e)(e.text, e.labels, {**e.extra, "weight": negative_weight})
            rows.append(e)
        held = [e for e in train if e.extra.get("source") == "ptc" and fold_of(e) == k
                and e.extra.get("selected_by") in UNSEEN_BY_RUN3 and not e.extra.get("variant")]
        args = TrainingArguments(init_from=run3, epochs=1, learning_rate=3e-5, threads=2)
        trainer = FramingTrainer(args)
        model = trainer.fit(rows, dev, taxonomy)
        trainer.save(model, out / f"negative-weight-{negative_weight:g}-fold-{k}")
        truth.append(label_matrix(held, taxonomy.names).astype(bool))
        scores.append(model.predict_proba([e.text for e in held]))
    return np.vstack(truth), np.vstack(scores)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run3")
    parser.add_argument("out", type=Path)
    parser.add_argument("--ptc-negative-weight", type=float, action="append", default=[])
    options = parser.parse_args()
    taxonomy = Taxonomy.load("data/taxonomy.yaml")
    train = read_examples("data/build/default/train.jsonl", taxonomy)
    dev = read_examples("data/build/default/dev.jsonl", taxonomy)
    for weight in options.ptc_negative_weight or [4.0]:
        truth, scores = out_of_fold(options.run3, options.out, weight, train, dev, taxonomy)
        line = [f"PTC negatives weigh {weight:g}: {len(truth)} unseen sentences, "
                f"{int(truth.sum())} framings"]
        for cut in CUTS:
            flags = scores >= cut
            right = int((flags & truth).sum())
            precision = right / max(int(flags.sum()), 1)
            recall = right / max(int(truth.sum()), 1)
            f1 = 2 * precision * recall / max(precision + recall, 1e-9)
            line.append(f"at {cut}: {int(flags.sum())} flags, precision {precision:.2f}, "
                        f"recall {recall:.2f}, F1 {f1:.3f}")
        print("\n  ".join(line))


if __name__ == "__main__":
    main()
