"""Per-label precision/recall/F1 and threshold calibration (cf. spaCy's spancat scorer)."""

from __future__ import annotations

import numpy as np

__all__ = ["score_labels", "calibrate_thresholds", "lowest_cut_keeping_precision", "binarise"]

THRESHOLD_GRID = np.round(np.arange(0.30, 0.951, 0.025), 3)


def binarise(scores: np.ndarray, labels: list[str], thresholds: dict[str, float]) -> np.ndarray:
    cut = np.array([thresholds.get(label, 0.5) for label in labels])
    return scores >= cut


def score_labels(y_true: np.ndarray, y_pred: np.ndarray, labels: list[str]) -> dict:
    """Plain-data report: per label P/R/F1/support, micro and macro F1, the share of sentences
    flagged, the precision of flags, and negatives flagged.

    Macro F1 averages over labels that have at least one true example in `y_true`, so a small
    test file that never mentions a label is not scored as 0 on it.
    """
    y_true = y_true.astype(bool)
    y_pred = y_pred.astype(bool)
    per_label = {}
    for j, label in enumerate(labels):
        tp = int((y_true[:, j] & y_pred[:, j]).sum())
        fp = int((~y_true[:, j] & y_pred[:, j]).sum())
        fn = int((y_true[:, j] & ~y_pred[:, j]).sum())
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {"precision": round(precision, 4), "recall": round(recall, 4),
                            "f1": round(f1, 4), "support": tp + fn, "predicted": tp + fp}
    tp = int((y_true & y_pred).sum())
    fp = int((~y_true & y_pred).sum())
    fn = int((y_true & ~y_pred).sum())
    micro = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    supported = [m["f1"] for m in per_label.values() if m["support"] > 0]
    negatives = ~y_true.any(axis=1)
    flagged = y_pred.any(axis=1)
    return {
        "examples": int(len(y_true)),
        "micro_f1": round(micro, 4),
        # A flag is one (sentence, label) span the model outputs; its precision is the share of
        # flags a reader would confirm, what a count built on the flags rests on.
        "flag_precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
        "micro_recall": round(tp / (tp + fn), 4) if tp + fn else 0.0,
        "flags": tp + fp,
        "sentences_flagged": int(flagged.sum()),
        "share_flagged": round(float(flagged.mean()), 4) if len(flagged) else 0.0,
        "macro_f1": round(float(np.mean(supported)) if supported else 0.0, 4),
        "negatives": int(negatives.sum()),
        "negatives_flagged": int((negatives & y_pred.any(axis=1)).sum()),
        "per_label": per_label,
    }


def calibrate_thresholds(y_true: np.ndarray, scores: np.ndarray, labels: list[str],
                         grid: np.ndarray = THRESHOLD_GRID,
                         sample_weight: np.ndarray | None = None,
                         beta: float = 1.0, min_positives: int = 10,
                         shared: bool = False) -> dict[str, float]:
    """One threshold per label: the grid value with the best (weighted, smoothed) F1 on dev.

    Ties go to the *higher* threshold, and the grid starts at 0.30: dev labels are weak and
    noisy, and an analyst is better served by fewer, surer spans. `sample_weight` lets clean
    examples count more than weakly labelled ones, as in training. `beta` below 1 favours
    precision (F-beta): a count built on flags needs most flags to be right. A label with no
    dev positives keeps 0.5, and so does a label with fewer than `min_positives`: a cut
    chosen on two or three sentences fits those sentences, not the label (one dev positive
    once put a threshold at 0.95).

    `shared=True` chooses one cut for every label, on all labels' dev scores pooled (micro
    F-beta), as spaCy's span categorizer does. With a few to a few dozen dev positives per
    label, per-label cuts fit the dev sentences more than the labels: on the real-text dev
    split, cuts chosen on one half and scored on the other gave a higher micro-F1 *and* a
    higher precision of flags when shared (data/README.md).
    """
    weight = np.ones(len(y_true)) if sample_weight is None else np.asarray(sample_weight, float)
    y_true = np.asarray(y_true).astype(bool)
    if shared:
        truth = y_true.ravel()
        if truth.sum() < max(1, min_positives):
            return {label: 0.5 for label in labels}
        cut = _best_cut(truth, np.asarray(scores).ravel(), np.repeat(weight, len(labels)), grid, beta)
        return {label: cut for label in labels}
    thresholds = {}
    for j, label in enumerate(labels):
        truth = y_true[:, j]
        if truth.sum() < max(1, min_positives):
            thresholds[label] = 0.5
            continue
        thresholds[label] = _best_cut(truth, scores[:, j], weight, grid, beta)
    return thresholds


def lowest_cut_keeping_precision(truth: np.ndarray, scores: np.ndarray, weight: np.ndarray,
                                 target: float, grid: np.ndarray = THRESHOLD_GRID) -> float:
    """The lowest grid cut from which every higher cut (with flags) keeps a (weighted)
    precision of flags of at least `target`: a count needs most flags to be right, and one
    lucky cut below a dip should not decide."""
    best = None
    for cut in grid[::-1]:
        flagged = scores >= cut
        if not flagged.any():
            continue  # no flags at this cut: nothing to be wrong about, keep going down
        precision = weight[flagged & truth].sum() / weight[flagged].sum()
        if precision < target:
            break
        best = float(cut)
    if best is None:
        raise ValueError(f"no cut on the grid ({grid[0]}-{grid[-1]}) reaches "
                         f"a precision of flags of {target} on these sentences")
    return best


def _best_cut(truth: np.ndarray, scores: np.ndarray, weight: np.ndarray, grid: np.ndarray,
              beta: float) -> float:
    curve = []
    for cut in grid:
        predicted = scores >= cut
        tp = weight[truth & predicted].sum()
        denominator = beta**2 * weight[truth].sum() + weight[predicted].sum()
        curve.append((1 + beta**2) * tp / denominator if denominator else 0.0)
    # With a few dozen dev positives per label the F1 curve is jagged; its argmax would
    # chase one lucky grid point. Smooth over neighbouring grid points first.
    smooth = np.convolve(np.pad(curve, 1, mode="edge"), np.ones(3) / 3, mode="valid")
    best = np.flatnonzero(smooth >= smooth.max() - 1e-12)[-1]  # ties: the higher cut
    return float(grid[best])
