"""`framescope eval`: score a model on a labelled file, beside the TF-IDF baseline."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from framescope.inference.modeling import FramingModel

from .baseline import TfidfBaseline
from .data import Example, crossfit_folds, label_matrix, read_examples
from .metrics import binarise, calibrate_thresholds, score_labels

__all__ = ["evaluate", "format_report", "fit_baseline", "baseline_with_dev_scores"]


def fit_baseline(train: list[Example], dev: list[Example], labels: list[str],
                 seed: int = 13, beta: float = 1.0, crossfit: int = 0) -> TfidfBaseline:
    """The baseline on the model's own split: fitted on train, thresholds from dev; with
    `crossfit=K`, as a cross-fitted model is made (fitted on train + dev, thresholds from the
    out-of-fold scores of K fold baselines), so that both learn from the same sentences."""
    return baseline_with_dev_scores(train, dev, labels, seed, beta, crossfit)[0]


def baseline_with_dev_scores(train: list[Example], dev: list[Example], labels: list[str],
                             seed: int = 13, beta: float = 1.0, crossfit: int = 0,
                             ) -> tuple[TfidfBaseline, np.ndarray]:
    """`fit_baseline`, and the dev scores its thresholds were chosen on (out of fold when
    cross-fitted: the fitted baseline has learnt dev, so its own dev scores are in-sample)."""
    def fitted(rows: list[Example]) -> TfidfBaseline:
        return TfidfBaseline(labels, seed=seed).fit([e.text for e in rows], label_matrix(rows, labels))

    if crossfit:
        folds = crossfit_folds(dev, crossfit)
        dev_scores = np.zeros((len(dev), len(labels)), dtype=np.float32)
        for k in range(crossfit):
            rest = [e for e, f in zip(dev, folds) if f != k]
            dev_scores[folds == k] = fitted(train + rest).predict_proba(
                [e.text for e, f in zip(dev, folds) if f == k])
        baseline = fitted(train + dev)
    else:
        baseline = fitted(train)
        dev_scores = baseline.predict_proba([e.text for e in dev])
    dev_weight = [e.weight for e in dev]
    baseline.thresholds = calibrate_thresholds(label_matrix(dev, labels), dev_scores, labels,
                                               sample_weight=dev_weight, beta=beta)
    return baseline, dev_scores


def evaluate(model: FramingModel, examples: list[Example],
             baseline: TfidfBaseline | None = None) -> dict:
    """Per-label P/R/F1, micro/macro F1 and negatives flagged, at each model's thresholds."""
    labels = model.labels
    truth = label_matrix(examples, labels)
    texts = [e.text for e in examples]
    scores = model.predict_proba(texts)
    result = {"model": score_labels(truth, binarise(scores, labels, model.thresholds), labels)}
    if baseline is not None:
        base_scores = baseline.predict_proba(texts)
        result["baseline"] = score_labels(
            truth, binarise(base_scores, labels, baseline.thresholds), labels
        )
    return result


def baseline_for(model_dir: Path, labels: list[str]) -> TfidfBaseline | None:
    """Re-fit the baseline on the split the model was trained on, if its files are present."""
    run_file = model_dir / "training_args.json"
    if not run_file.is_file():
        return None
    run = json.loads(run_file.read_text("utf-8"))
    data = run.get("data", {})
    train_path, dev_path = Path(data.get("train", "")), Path(data.get("dev", ""))
    if not (train_path.is_file() and dev_path.is_file()):
        return None
    from framescope.inference.taxonomy import Taxonomy

    taxonomy = Taxonomy.from_labels(labels)
    arguments = run.get("arguments", {})
    return fit_baseline(read_examples(train_path, taxonomy), read_examples(dev_path, taxonomy),
                        labels, arguments.get("seed", 13), arguments.get("threshold_beta", 1.0),
                        crossfit=arguments.get("crossfit_dev", 0))


def format_report(result: dict) -> str:
    model, baseline = result["model"], result.get("baseline")
    lines = [f"{'label':24} {'P':>6} {'R':>6} {'F1':>6} {'n':>5}" + ("  base-F1" if baseline else "")]
    def figure(value: float, measured: bool, width: int = 6) -> str:
        return f"{value:{width}.3f}" if measured else f"{'-':>{width}}"

    for label, m in model["per_label"].items():
        # no flags: no precision; no examples: no recall or F1 (and out of macro-F1)
        line = (f"{label:24} {figure(m['precision'], m['predicted'] > 0)} "
                f"{figure(m['recall'], m['support'] > 0)} {figure(m['f1'], m['support'] > 0)} "
                f"{m['support']:5d}")
        if baseline:
            line += f"  {figure(baseline['per_label'][label]['f1'], m['support'] > 0, 7)}"
        lines.append(line)
    for name, r in (("model", model), ("baseline", baseline)):
        if r:
            lines.append(f"{name}: macro-F1 {r['macro_f1']:.3f}  micro-F1 {r['micro_f1']:.3f}  "
                         f"flag precision {r['flag_precision']:.3f}  sentences flagged "
                         f"{r['sentences_flagged']}/{r['examples']} ({r['share_flagged']:.1%})  "
                         f"negatives flagged {r['negatives_flagged']}/{r['negatives']}")
    return "\n".join(lines)
