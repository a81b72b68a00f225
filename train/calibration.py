"""Thresholds chosen again on sentences a person reviewed in their own corpus.

A model's thresholds were chosen on its own dev split. On another kind of text the same score
means something else: where framings are rarer (news prose rather than disinformation-case
titles), the same cut gives a lower share of right flags. `framescope calibrate` scores
sentences someone has reviewed in their corpus, chooses thresholds on them, and writes a copy of
the model with those thresholds and a record of how they were chosen. The weights are copied
byte for byte.

    framescope calibrate --model models/default --data reviewed.jsonl --out models/mine \\
        --min-precision 0.8

Two rules: `min_precision` keeps the lowest shared cut from which every higher cut on the grid
also reaches that precision of flags (a count needs most flags to be right, and one lucky cut
should not decide); otherwise F-beta as in training (`beta` below 1 favours precision), shared
or per label. Calibrate on a uniform sample (`framescope sample --random-share 1`): sentences a
model chose to show (flagged, near a threshold) are not a picture of the corpus.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from pathlib import Path

import numpy as np

from framescope.inference.modeling import SETTINGS_FILE, FramingModel

from .data import Example, label_matrix
from .metrics import (binarise, calibrate_thresholds, lowest_cut_keeping_precision,
                      score_labels)

__all__ = ["recalibrate", "save_recalibrated"]

log = logging.getLogger("framescope")
SUMMARY = ("examples", "flags", "flag_precision", "micro_recall", "micro_f1", "share_flagged")


def recalibrate(model: FramingModel, examples: list[Example], *, beta: float = 0.7,
                min_precision: float | None = None, per_label: bool = False) -> dict:
    """New thresholds for `model` chosen on reviewed `examples`; returns them with the
    figures on those examples before and after (plain data, see `save_recalibrated`)."""
    if min_precision is not None and per_label:
        raise ValueError("min_precision chooses one shared cut; it does not go with per_label")
    if min_precision is not None and not 0.0 < min_precision <= 1.0:
        raise ValueError(f"min_precision must be within (0, 1], not {min_precision}")
    labels = model.labels
    y = label_matrix(examples, labels).astype(bool)
    if not y.any():
        raise ValueError("the reviewed sentences carry no label: nothing to calibrate on")
    scores = model.predict_proba([e.text for e in examples])
    weight = np.array([e.weight for e in examples])
    if min_precision is not None:
        cut = lowest_cut_keeping_precision(y.ravel(), scores.ravel(),
                                            np.repeat(weight, len(labels)), min_precision)
        thresholds = {label: cut for label in labels}
        rule = f"lowest shared cut with precision of flags >= {min_precision} at it and above"
    else:
        thresholds = calibrate_thresholds(y, scores, labels, sample_weight=weight, beta=beta,
                                          shared=not per_label)
        rule = f"F-beta, beta = {beta}, " + ("one cut per label" if per_label else "one shared cut")
    # A review file says why each row was picked; rows without `why` are taken as a plain
    # sample. A row drawn at random and also flagged is still part of the uniform draw.
    chosen_by_model = sum(1 for e in examples if "random" not in (e.extra.get("why") or ["random"]))
    if chosen_by_model:
        log.warning("%d of %d reviewed sentences were chosen by a model (flagged, near a "
                    "threshold, disagreeing), not drawn at random: the figures describe those "
                    "sentences, not the corpus", chosen_by_model, len(examples))

    def summary(cuts: dict) -> dict:
        report = score_labels(y, binarise(scores, labels, cuts), labels)
        return {k: report[k] for k in SUMMARY}

    return {"rule": rule, "thresholds": thresholds, "thresholds_before": dict(model.thresholds),
            "positives": int(y.sum()), "chosen_by_a_model": chosen_by_model,
            "before": summary(model.thresholds), "after": summary(thresholds)}


def save_recalibrated(model_dir: str | Path, out_dir: str | Path, result: dict,
                      data: str) -> None:
    """Copy `model_dir` to `out_dir` with the new thresholds, the record in `metrics.json`
    and a section in the model card. Written to a temporary folder and renamed into place."""
    model_dir, out_dir = Path(model_dir).resolve(), Path(out_dir).resolve()
    if out_dir == model_dir:
        raise ValueError(f"--out is the model folder itself ({model_dir}): write a copy")
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        shutil.copytree(model_dir, staging, dirs_exist_ok=True)
        settings = json.loads((staging / SETTINGS_FILE).read_text("utf-8"))
        settings["thresholds"] = result["thresholds"]
        (staging / SETTINGS_FILE).write_text(json.dumps(settings, indent=2) + "\n", "utf-8")
        metrics_file = staging / "metrics.json"
        metrics = json.loads(metrics_file.read_text("utf-8")) if metrics_file.is_file() else {}
        metrics["recalibrated"] = {"data": data, "from_model": str(model_dir), **result}
        metrics_file.write_text(json.dumps(metrics, indent=2) + "\n", "utf-8")
        card = staging / "README.md"
        text = card.read_text("utf-8") if card.is_file() else f"# framescope model: {out_dir.name}\n"
        card.write_text(text.rstrip("\n") + "\n\n" + _card_section(result, data, model_dir), "utf-8")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        staging.rename(out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _card_section(result: dict, data: str, model_dir: Path) -> str:
    cuts = sorted(set(result["thresholds"].values()))
    rows = [f"| {name} | {r['examples']} | {r['flags']} | {r['flag_precision']:.3f} | "
            f"{r['micro_recall']:.3f} | {r['micro_f1']:.3f} |"
            for name, r in (("model's thresholds", result["before"]),
                            ("recalibrated", result["after"]))]
    return "\n".join([
        "## Thresholds recalibrated",
        "",
        f"Copied from `{model_dir}` with the same weights; thresholds chosen again on `{data}` "
        f"({result['before']['examples']} reviewed sentences, {result['positives']} framings), "
        f"rule: {result['rule']}. New cut{'s' if len(cuts) > 1 else ''}: "
        f"{', '.join(f'{c:g}' for c in cuts)}. The figures below are on those same sentences, "
        "so they flatter the new thresholds; measure on sentences not used here.",
        *([f"{result['chosen_by_a_model']} of them were chosen by a model, not drawn at random."]
          if result["chosen_by_a_model"] else []),
        "",
        "| thresholds | sentences | flags | precision of flags | recall | micro-F1 |",
        "|---|---:|---:|---:|---:|---:|",
        *rows,
        "",
    ])
