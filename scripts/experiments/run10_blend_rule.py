"""The figures behind run 10 (the shipped blend), as data/README.md ("Run 10") reports them.

    framescope data --ptc PTC_FOLDER --out data/build/default
    python scripts/experiments/run10_blend_rule.py RUN3_FOLDER OUT_FOLDER --ptc PTC_FOLDER \
        [--seed 13] [--json benchmarks/results/run10_blend_rule.json]

RUN3_FOLDER is models/default at commit 269adc9 (README, "Rebuild it"). The script makes the
out-of-fold dev scores that `framescope train --crossfit-dev 2` makes inside (two fold models
of run 9's recipe, about 4 minutes each on 2 CPU cores, and the cross-fitted TF-IDF baseline),
keeps them in OUT_FOLDER (a second run reuses them) and reports:

* the encoder alone and the blend (half and half) at the cut each rule chooses: rule 1 is the
  trainer's F-beta 0.7, rule 2 F-beta 0.5; dev micro P/R/F1, and dev reweighted to the test
  split's mix of sources (PTC sentences x 2958 / dev PTC count, titles x 250 / dev title count);
* the blend's dev figures at a range of cuts;
* which neutral sentences of the paraphrase and everyday sets the shipped model (models/default:
  its encoder alone, for the encoder's rule, else blended with its lexical half) flags at each
  rule's cut;
* near-copies: for the PTC dev sentences that carry a framing or that the blend flags, the
  highest character 3-5-gram cosine to any training sentence (`framescope data`'s near-copy
  measure, which drops pairs at 0.8 or more);
* with --ptc, the shipped model on the real-text test split less the sentences that have a
  word-for-word copy (after normalising) in the train or dev articles.
"""

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from framescope import load_model
from framescope.inference.lexical import blend
from framescope.inference.taxonomy import Taxonomy
from framescope.train.arguments import TrainingArguments
from framescope.train.data import crossfit_folds, label_matrix, read_examples
from framescope.train.default_data import _normalise
from framescope.train.evaluate import baseline_with_dev_scores, evaluate
from framescope.train.metrics import calibrate_thresholds
from framescope.train.trainer import FramingTrainer

DATA = Path("data/build/default")
CUTS = (0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.875)


def fold_scores(run3: str, out: Path, seed: int, train, dev, taxonomy):
    """Out-of-fold dev scores of the encoder (run 9's recipe) and of the TF-IDF baseline."""
    files = out / f"encoder_oof_seed{seed}.npy", out / f"baseline_oof_seed{seed}.npy"
    if all(f.is_file() for f in files):
        return np.load(files[0]), np.load(files[1])
    _, baseline = baseline_with_dev_scores(train, dev, taxonomy.names, seed=seed, crossfit=2)
    trainer = FramingTrainer(TrainingArguments(init_from=run3, epochs=1, learning_rate=3e-5,
                                               threads=2, crossfit_dev=2, seed=seed))
    folds = crossfit_folds(dev, 2)
    encoder = np.zeros((len(dev), len(taxonomy.names)))
    for k in range(2):
        rest = [e for e, f in zip(dev, folds) if f != k]
        model, _, _ = trainer._train(train + rest, None, taxonomy, None)
        encoder[folds == k] = model.predict_proba([e.text for e, f in zip(dev, folds) if f == k])
    out.mkdir(parents=True, exist_ok=True)
    np.save(files[0], encoder)
    np.save(files[1], baseline)
    return encoder, baseline


def micro(truth, scores, cut, weight):
    flagged = scores >= cut
    w = np.repeat(weight[:, None], truth.shape[1], axis=1)
    tp, fp, fn = w[flagged & truth].sum(), w[flagged & ~truth].sum(), w[~flagged & truth].sum()
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3),
            "micro_f1": round(2 * p * r / (p + r) if p + r else 0.0, 3), "flags": int(flagged.sum())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("run3")
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--ptc", help="PTC folder, for the test split less copies")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    taxonomy = Taxonomy.load("data/taxonomy.yaml")
    labels = taxonomy.names
    train = read_examples(DATA / "train.jsonl", taxonomy)
    dev = read_examples(DATA / "dev.jsonl", taxonomy)
    encoder, baseline = fold_scores(args.run3, args.out, args.seed, train, dev, taxonomy)
    blended = blend(encoder, baseline, 0.5)
    truth = label_matrix(dev, labels).astype(bool)
    source = np.array([e.extra["source"] for e in dev])
    plain = np.ones(len(dev))
    mix = np.where(source == "ptc", 2958 / (source == "ptc").sum(),
                   250 / (source != "ptc").sum())
    dev_weight = np.array([e.weight for e in dev])
    report = {"seed": args.seed, "dev_sentences": len(dev), "rules": {}, "blend_by_cut": {}}
    for name, scores, beta in [("encoder alone, F-beta 0.7", encoder, 0.7),
                               ("blend, rule 1: F-beta 0.7", blended, 0.7),
                               ("blend, rule 2: F-beta 0.5", blended, 0.5)]:
        cut = calibrate_thresholds(truth, scores, labels, sample_weight=dev_weight, beta=beta,
                                   shared=True)[labels[0]]
        report["rules"][name] = {"cut": cut, "dev": micro(truth, scores, cut, plain),
                                 "dev_reweighted_to_test_mix": micro(truth, scores, cut, mix)}
    for cut in CUTS:
        report["blend_by_cut"][str(cut)] = micro(truth, blended, cut, plain)

    shipped = load_model("models/default", precision="fp32")
    lexical = shipped.lexical
    shipped.set_lexical(None, 0)
    report["neutral_sentences_flagged_by_the_shipped_model"] = {}
    for file in ("data/paraphrase_test.yaml", "data/everyday_neutral_test.yaml"):
        neutral = [e.text for e in read_examples(file, taxonomy) if not e.labels]
        alone = shipped.predict_proba(neutral)
        mixed = blend(alone, lexical.predict_proba(neutral), 0.5)
        report["neutral_sentences_flagged_by_the_shipped_model"][file] = {
            f"{name} (cut {rule['cut']})": [
                f"{labels[s.argmax()]} {s.max():.2f}: {t}"
                for t, s in zip(neutral, alone if name.startswith("encoder") else mixed)
                if s.max() >= rule["cut"]]
            for name, rule in report["rules"].items()}

    rule2 = report["rules"]["blend, rule 2: F-beta 0.5"]["cut"]
    chosen = (source == "ptc") & (truth.any(axis=1) | (blended >= rule2).any(axis=1))
    vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    train_matrix = vectoriser.fit_transform([_normalise(e.text) for e in train])
    held = vectoriser.transform([_normalise(dev[i].text) for i in np.flatnonzero(chosen)])
    nearest = (held @ train_matrix.T).max(axis=1).toarray().ravel()
    report["ptc_dev_framed_or_flagged_nearest_train_cosine"] = {
        "sentences": int(chosen.sum()), "max": round(float(nearest.max()), 3),
        "median": round(float(np.median(nearest)), 3)}

    if args.ptc:
        from framescope.train.real_text import annotated_examples
        examples = annotated_examples(args.ptc)
        seen = {_normalise(e.text) for e in examples if e.extra["split"] in ("train", "dev")}
        test = read_examples(DATA / "test.jsonl", taxonomy)
        clean = [e for e in test if _normalise(e.text) not in seen]
        shipped.set_lexical(lexical, 0.5)
        result = evaluate(shipped, clean)["model"]
        report["test_less_copies"] = {"sentences": len(clean), "of": len(test),
                                      "micro_f1": round(result["micro_f1"], 3),
                                      "flag_precision": round(result["flag_precision"], 3)}
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", "utf-8")


if __name__ == "__main__":
    main()
