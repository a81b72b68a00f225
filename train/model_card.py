"""Generate `README.md` for a trained model folder from its metrics and run record."""

from __future__ import annotations

from pathlib import Path

__all__ = ["write_model_card"]


def _table(report: dict, baseline: dict | None, thresholds: dict) -> str:
    head = "| label | threshold | precision | recall | F1 | support |"
    rule = "|---|---:|---:|---:|---:|---:|"
    if baseline:
        head += " baseline F1 |"
        rule += "---:|"
    rows = [head, rule]
    for label, m in report["per_label"].items():
        row = (f"| {label} | {thresholds.get(label, 0.5):.3f} | {m['precision']:.3f} | "
               f"{m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |")
        if baseline:
            row += f" {baseline['per_label'][label]['f1']:.3f} |"
        rows.append(row)
    return "\n".join(rows)


def _has_positives(test: dict) -> bool:
    return any(m["support"] for m in test["model"]["per_label"].values())


def _held_out_summary(test: dict) -> list[str]:
    """One line each for model and baseline; F1 only where the file has positives (a file of
    neutral sentences is about how many get flagged)."""
    lines = []
    for who, name in [("model", "Model"), ("baseline", "Baseline")]:
        r = test[who]
        value = f"**{r['macro_f1']}**" if who == "model" else r["macro_f1"]
        f1 = (f"macro-F1 {value}, micro-F1 {r['micro_f1']}, precision of flags "
              f"{r['flag_precision']}, " if _has_positives(test) else "")
        flagged = (f"sentences flagged {r['sentences_flagged']} of {r['examples']}, "
                   if "sentences_flagged" in r else "")
        lines.append(f"- {name}: {f1}{flagged}negatives flagged {r['negatives_flagged']} of "
                     f"{r['negatives']}")
    return lines


def _crossfit(crossfit: dict) -> str:
    return (f"- Cross-fitted on dev (`--crossfit-dev {crossfit['folds']}`): dev was cut into "
            f"{crossfit['folds']} folds ({', '.join(map(str, crossfit['fold_sizes']))} examples; "
            "the sentences of one document in one fold); each fold was scored by a model "
            "trained on the training data and the other folds, the thresholds were chosen on "
            "those out-of-fold scores, and this model was then trained on the training data and "
            "all of dev. Every one of these trainings ran exactly "
            f"{crossfit['epochs']} epoch{'s' if crossfit['epochs'] != 1 else ''}, without "
            "early stopping.")


def _blend(report: dict) -> str:
    weight, alone = report["lexical_weight"], report.get("dev_encoder_alone", {})
    return (f"- Blended with a TF-IDF + logistic-regression model (`--lexical-weight {weight}`): "
            f"a sentence's score is {1 - weight:g} x the fine-tuned encoder's + {weight:g} x the "
            "lexical model's, which is the baseline below, fitted on the same data "
            "(`lexical.safetensors`, its vocabulary kept as hashes, not text; "
            "`framescope/inference/lexical.py`). "
            "The encoder alone, at a cut chosen for it the same way "
            f"({_cuts(alone.get('thresholds', {}))}), scores dev micro-F1 "
            f"{alone.get('micro_f1')} with precision of flags {alone.get('flag_precision')}.")


def _cuts(thresholds: dict) -> str:
    values = sorted(set(thresholds.values()))
    return f"cut {values[0]}" if len(values) == 1 else f"cuts {values[0]}-{values[-1]}"


def write_model_card(out_dir: Path, model, report: dict, run: dict) -> None:
    args, versions, data = run["arguments"], run["versions"], run.get("data", {})
    default_data = str(data.get("train", "")).startswith("data/build/default/")
    dev, baseline = report.get("dev", {}), report.get("baseline_dev")
    on_dev = ("out-of-fold scores of the dev split (cross-fitting, above)"
              if report.get("crossfit_dev") else "dev split")
    lines = [
        f"# framescope model: {out_dir.name}",
        "",
        "A multi-label sentence classifier for framings in news and state-media text. "
        "`framescope.inference.predict` splits a document into sentences and returns each sentence whose "
        "score for a label reaches that label's threshold, as a span with character offsets.",
        "",
        "## Intended use",
        "",
        "Finding and counting sentences that *present* events through a framing (for example "
        "a protest as a foreign-run colour revolution), to help researchers, fact-checkers and "
        "analysts read large corpora. A span says that a sentence carries a framing, whether the "
        "writer holds it or reports someone else's; it is not a verdict that the text is false "
        "or that its author is a propagandist. Scores are evidence to read, not decisions. "
        "Trained on English; other languages are out of scope.",
        "",
        "## Labels",
        "",
        "| label | definition |",
        "|---|---|",
        *[f"| {l.name} | {l.definition} |" for l in model.taxonomy.labels],
        "",
        "## Training",
        "",
        (_continued_from(report["init_from"]) if report.get("init_from") else
         f"- Base encoder: `{args['base']}`")
        + "; mean pooling, linear head, sigmoid per label, "
        f"BCE with per-label positive weights (capped at {args['max_pos_weight']}).",
        *([_taught_by(report["teacher"])] if report.get("teacher") else []),
        f"- {args['epochs']} epoch{'s' if args['epochs'] != 1 else ''}"
        f"{'' if report.get('crossfit_dev') else ' at most'}, learning rate "
        f"{args['learning_rate']}, batch "
        f"{args['batch_size']}, max length {args['max_length']} tokens, seed {args['seed']}"
        + ("." if report.get("crossfit_dev") else
           f"; early stopping on dev "
           f"{args.get('early_stopping_metric', 'macro_f1').replace('_f1', '-F1')} at 0.5 "
           f"(patience {args['early_stopping_patience']})."),
        *([_crossfit(report["crossfit_dev"])] if report.get("crossfit_dev") else []),
        *([_blend(report)] if report.get("lexical_weight") else []),
        f"- Epochs run: {report.get('epochs_run')}"
        + (f", best epoch: {report.get('best_epoch')}" if report.get("best_epoch") else "")
        + f"; training time {report.get('training_seconds')} s on "
        f"{versions.get('machine', versions.get('platform'))}.",
        f"- Training examples: {report.get('train_examples')}, dev examples: "
        f"{report.get('dev_examples')}.",
        *[f"- Data `{k}`: {v}" for k, v in data.items()],
        "",
        "## Thresholds",
        "",
        (f"One cut shared by every label, chosen on the {on_dev} to maximise F-beta over all "
         f"labels' scores pooled (micro; beta = {args.get('threshold_beta', 1.0)}; below 1 "
         "favours precision)"
         if args.get("threshold_strategy") == "shared" else
         f"One per label, chosen on the {on_dev} to maximise that label's F-beta (beta = "
         f"{args.get('threshold_beta', 1.0)}; below 1 favours precision; labels with under 10 "
         "dev positives keep 0.5)")
        + ", each example counted with its `weight`, over a grid from 0.30 to 0.95 smoothed "
        "across neighbouring points (ties to the higher value). They are stored in "
        "`framescope.json`; pass `threshold=` to `predict` (or `--threshold` to the CLI) to use "
        "your own.",
        "",
        "## Dev metrics (at the thresholds above)",
        "",
        *(["Every dev sentence here was scored by a fold model that did not learn from it "
           "(cross-fitting, above), and so was the baseline's; the model itself learnt from all "
           "of dev, so its own dev scores would be in-sample and are not used.", ""]
          if report.get("crossfit_dev") else []),
        "Thresholds were calibrated on this same dev split, so these figures are optimistic; the "
        "TF-IDF + logistic-regression baseline is calibrated the same way on the same split.",
        "",
        f"- Model: macro-F1 **{dev.get('macro_f1')}**, micro-F1 {dev.get('micro_f1')}",
    ]
    if baseline:
        lines.append(f"- Baseline: macro-F1 **{baseline['macro_f1']}**, micro-F1 "
                     f"{baseline['micro_f1']}")
    for source, sub in report.get("dev_by_source", {}).items():
        lines.append(f"- Dev subset `{source}`: {sub['examples']} examples, macro-F1 "
                     f"{sub['macro_f1']}, micro-F1 {sub['micro_f1']}, negatives flagged "
                     f"{sub['negatives_flagged']} of {sub['negatives']}")
    lines += ["", _table(dev, baseline, model.thresholds), ""]
    for name, extra in report.items():
        if name.startswith("test_") and isinstance(extra, dict):
            title = Path(str(extra.get("file", name[5:]))).name
            lines += [f"## Held-out test: `{title}`", "", *_held_out_summary(extra),
                      f"- File: `{extra.get('file')}`: never used for training or thresholds; "
                      "data/README.md says how each test file was made and used.", ""]
            if _has_positives(extra):
                lines += [_table(extra["model"], extra["baseline"], model.thresholds), ""]
    lines += [
        "## Limitations",
        "",
        *(_DEFAULT_DATA_LABELS if default_data else [
            "- A model is as good as its labels: read the support column before trusting a "
            "per-label figure, and a sample of spans before trusting counts."]),
        "- One sentence at a time: a framing built across sentences is seen only where one "
        "sentence carries it.",
        "- A reported framing (\"the minister called it a coup\") is a span like an asserted "
        "one; the model does not judge who holds it.",
        "- Factual reports of real coups, elections, laboratories or protests can still score "
        "high; check spans before counting them.",
        *(_DEFAULT_DATA_PROSE if default_data else []),
        "",
        "## Versions",
        "",
        *[f"- {k}: {v}" for k, v in versions.items()],
        "",
        "## Files",
        "",
        "`model.safetensors` (weights, float16), `config.json` (encoder architecture), tokenizer "
        "files, `framescope.json` (labels, thresholds, window"
        + (", lexical weight), `lexical.safetensors` (the lexical model: hashed vocabulary, "
           "idf, coefficients float16)" if report.get("lexical_weight") else ")")
        + ", `taxonomy.yaml`, `metrics.json`, `training_args.json`.",
        "",
    ]
    (out_dir / "README.md").write_text("\n".join(lines), "utf-8")


def _continued_from(start: dict) -> str:
    return (f"- Continued from the trained model `{start['path']}` (model.safetensors sha256 "
            f"`{start['sha256'][:16]}...`, itself built on `{start.get('base') or 'unknown'}`; "
            f"head {start['head']})")


def _taught_by(teacher: dict) -> str:
    return (f"- Distilled from the teacher `{teacher['path']}` (model.safetensors sha256 "
            f"`{teacher['sha256'][:16]}...`, built on `{teacher.get('base') or 'unknown'}`"
            + (f"; its scores read from `{teacher['scores_file']}`" if teacher.get("scores_file")
               else "") + "): each "
            f"training sentence's target is {1 - teacher['weight']:g} x its labels + "
            f"{teacher['weight']:g} x the teacher's scores.")


# Limitations of models trained on `framescope data` (the default model's data).
_DEFAULT_DATA_LABELS = [
    "- A model is as good as its labels. The default model's real sentences were labelled by "
    "reading against `data/annotation_guide.md`, by LLM reader agents following that one "
    "guide (data/README.md gives their agreement with a second, blind reader); dev and test "
    "are thin for several labels: read the support column before trusting a per-label figure.",
]
_DEFAULT_DATA_PROSE = [
    "- Real news from outside state media (US and UK news and commentary in the Propaganda "
    "Techniques Corpus) rarely carries these framings: the default model learnt from about "
    "12,000 such sentences, read whole, of which about 200 carry one, and it finds few of "
    "the framings there (recall and precision on the PTC test articles are in the "
    "repository README). On a corpus unlike its training data, read a sample of spans before "
    "trusting counts (`framescope sample` + `framescope review`).",
]
