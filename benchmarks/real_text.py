"""Real-text test: the default model (and the TF-IDF baseline) on sentences labelled by reading.

    python benchmarks/real_text.py --ptc ../shared/data/ptc [--model models/default] [--write-readme]

The test split (`split == "test"` in `data/annotated/`) was fixed before any model was trained
on real text and is never used for training or thresholds: every sentence of 60 whole PTC
articles (Propaganda Techniques Corpus, Da San Martino et al., EMNLP 2019; US and UK news and
commentary) and 250 EUvsDisinfo case titles (EU East StratCom Task Force) from May-June 2020,
each relabelled by reading.

Reports, for the model and for the baseline (TF-IDF + logistic regression fitted on the model's
own training split, thresholds from its dev split): per-label precision, recall and F1, micro
and macro F1, the share of sentences flagged and the precision of flags. Then, over all 371 PTC
articles, the share of sentences `predict` flags and the precision of those flags: every
sentence of the 371 articles has been read, so every flag is checked (by split; flags in the
train articles are in-sample for a model trained on them).

How sure those figures are: 95% intervals of micro-F1 and of the precision of flags, for the
model, the baseline and their difference, from a paired bootstrap that resamples whole
documents (an article's sentences are not independent; a title is its own document), 2,000
resamples with a fixed seed (`--bootstrap N`, 0 to skip).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _baseline(labels: list[str], ptc: str, arguments: dict):
    """The baseline fitted on the default training split, rebuilt the documented way, its
    thresholds calibrated as the model's were (same seed and F-beta; cross-fitted on dev, and
    trained on it, when the model was)."""
    from framescope.inference.taxonomy import Taxonomy
    from framescope.train.data import read_examples
    from framescope.train.default_data import build_default_data
    from framescope.train.evaluate import fit_baseline

    with tempfile.TemporaryDirectory() as folder:
        build_default_data(folder, ptc=ptc)
        taxonomy = Taxonomy.from_labels(labels)
        train = read_examples(Path(folder) / "train.jsonl", taxonomy)
        dev = read_examples(Path(folder) / "dev.jsonl", taxonomy)
    return fit_baseline(train, dev, labels, arguments.get("seed", 13),
                        arguments.get("threshold_beta", 1.0),
                        crossfit=arguments.get("crossfit_dev", 0))


def paired_bootstrap(model, baseline, examples, resamples: int, seed: int = 0) -> dict:
    """95% percentile intervals of micro-F1 and precision of flags for the model, the baseline
    and model minus baseline, resampling whole documents with replacement (both scored on the
    same resample, so the difference keeps their pairing)."""
    import numpy as np

    from framescope.train.data import label_matrix
    from framescope.train.metrics import binarise

    labels, texts = model.labels, [e.text for e in examples]
    truth = label_matrix(examples, labels).astype(bool)
    predicted = {"model": binarise(model.predict_proba(texts), labels, model.thresholds),
                 "baseline": binarise(baseline.predict_proba(texts), labels, baseline.thresholds)}
    documents = [f"{e.extra['source']}:{e.extra['doc_id']}" for e in examples]
    names = sorted(set(documents))
    index = {name: i for i, name in enumerate(names)}
    owner = np.array([index[d] for d in documents])
    # per document: true positives, flags, framings (for micro-F1 = 2tp / (flags + framings))
    counts = {who: np.stack([np.bincount(owner, (truth & p).sum(1), len(names)),
                             np.bincount(owner, p.sum(1), len(names)),
                             np.bincount(owner, truth.sum(1), len(names))])
              for who, p in predicted.items()}
    rng = np.random.default_rng(seed)
    draws = {f"{who}_{m}": [] for who in ("model", "baseline", "difference")
             for m in ("micro_f1", "flag_precision")}
    for _ in range(resamples):
        weight = np.bincount(rng.integers(0, len(names), len(names)), minlength=len(names))
        figures = {}
        for who, (tp, flags, framings) in counts.items():
            tp, flags, framings = weight @ tp, weight @ flags, weight @ framings
            figures[who] = (2 * tp / (flags + framings), tp / flags if flags else 0.0)
        for who in ("model", "baseline"):
            draws[f"{who}_micro_f1"].append(figures[who][0])
            draws[f"{who}_flag_precision"].append(figures[who][1])
        draws["difference_micro_f1"].append(figures["model"][0] - figures["baseline"][0])
        draws["difference_flag_precision"].append(figures["model"][1] - figures["baseline"][1])
    return {"resamples": resamples, "documents": len(names), "seed": seed,
            **{name: [round(float(np.percentile(v, 2.5)), 4), round(float(np.percentile(v, 97.5)), 4)]
               for name, v in draws.items()}}


def _ptc_flagged_share(model, ptc: str) -> dict:
    """Share of all PTC sentences flagged, and the precision of those flags by split: every
    sentence of the 371 articles has been read (data/annotated/ptc.jsonl), so every flag can be
    checked. Flags in the train articles are in-sample for a model trained on them."""
    from framescope import predict, split_sentences
    from framescope.train.real_text import ptc_articles, read_annotations

    read = {(r["doc_id"], r["start"], r["end"]): (set(r["labels"]), r["split"])
            for r in read_annotations() if r["source"] == "ptc"}
    articles = ptc_articles(ptc)
    started = time.perf_counter()
    flagged = sentences = 0
    flags = {split: {"flags": 0, "right": 0} for split in ("train", "dev", "test", "not read")}
    for (doc_id, text), spans in zip(articles.items(), predict(list(articles.values()), model)):
        sentences += len(split_sentences(text))
        flagged += len({(s.start, s.end) for s in spans})
        for span in spans:
            labels, split = read.get((doc_id, span.start, span.end), (None, "not read"))
            flags[split]["flags"] += 1
            flags[split]["right"] += labels is not None and span.label in labels
    for counts in flags.values():
        counts["precision"] = round(counts["right"] / counts["flags"], 4) if counts["flags"] else None
    right, total = _checked_flags(flags)
    return {"articles": len(articles), "sentences": sentences, "sentences_flagged": flagged,
            "share_flagged": round(flagged / sentences, 4),
            "flag_precision": round(right / total, 4) if total else None,
            "flags_by_split": flags,
            "seconds": round(time.perf_counter() - started, 1)}


def _checked_flags(flags_by_split: dict) -> tuple[int, int]:
    """(right, total) over the flags on sentences that were read."""
    checked = [c for split, c in flags_by_split.items() if split != "not read"]
    return sum(c["right"] for c in checked), sum(c["flags"] for c in checked)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ptc", required=True, help="PTC folder holding train-articles/")
    parser.add_argument("--model", default=str(REPO / "models" / "default"))
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--json", help="write the full report here")
    parser.add_argument("--before", action="append", default=[], metavar="NAME=JSON",
                        help="an earlier model's --json report, shown beside this one in the "
                        "README under NAME (repeatable, oldest first)")
    parser.add_argument("--bootstrap", type=int, default=2000,
                        help="paired bootstrap resamples of whole documents (0: none)")
    parser.add_argument("--write-readme", action="store_true",
                        help="put the summary table into README.md (real-text block)")
    args = parser.parse_args()

    from framescope import load_model
    from framescope.train.evaluate import evaluate, format_report
    from framescope.train.real_text import annotated_examples

    model = load_model(args.model, precision="fp32")
    test = [e for e in annotated_examples(args.ptc) if e.extra["split"] == "test"]
    run_file = Path(args.model) / "training_args.json"
    arguments = (json.loads(run_file.read_text("utf-8"))["arguments"] if run_file.is_file()
                 else {})
    baseline = None if args.no_baseline else _baseline(model.labels, args.ptc, arguments)
    from framescope.train.trainer import versions

    report = {"model": args.model, "test_sentences": len(test), "by_source": {},
              "machine": versions()["machine"],
              # a cross-fitted model learnt the dev articles too: its flags there are in-sample
              "trained_on_dev": bool(arguments.get("crossfit_dev"))}
    report["all"] = evaluate(model, test, baseline)
    print(f"== real-text test ({len(test)} sentences)\n{format_report(report['all'])}")
    for source in ("ptc", "euvsdisinfo"):
        part = [e for e in test if e.extra["source"] == source]
        report["by_source"][source] = evaluate(model, part, baseline)
        print(f"\n== {source} ({len(part)} sentences)\n{format_report(report['by_source'][source])}")
    if baseline is not None and args.bootstrap:
        report["bootstrap"] = paired_bootstrap(model, baseline, test, args.bootstrap)
        print("\n== paired bootstrap (95% intervals)\n" + json.dumps(report["bootstrap"]))
    report["ptc_all_articles"] = _ptc_flagged_share(model, args.ptc)
    print("\n== all PTC articles\n" + json.dumps(report["ptc_all_articles"]))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", "utf-8")
    if args.write_readme:
        from benchmarks.readme_block import write_readme_block

        write_readme_block("real-text", readme_lines(report, _earlier_reports(args.before)))


def _earlier_reports(options: list[str]) -> dict[str, dict]:
    """`NAME=PATH` (or a bare PATH, named by its file) -> {name: report}, in the given order."""
    reports = {}
    for option in options:
        name, _, path = option.partition("=") if "=" in option else (Path(option).stem, "", option)
        if name in reports:
            raise SystemExit(f"--before: the name {name!r} is given twice")
        reports[name] = json.loads(Path(path).read_text("utf-8"))
    return reports


def _before_after(before: dict[str, dict], after: dict) -> list[str]:
    def row(name, get):
        return f"| {name} | " + " | ".join(get(r) for r in before.values()) + f" | **{get(after)}** |"

    ptc_all = lambda r: (f"{r['ptc_all_articles']['sentences_flagged']:,} of "
                         f"{r['ptc_all_articles']['sentences']:,} "
                         f"({r['ptc_all_articles']['share_flagged']:.1%})")
    ptc_precision = lambda r: (f"{r['ptc_all_articles']['flag_precision']:.3f} "
                               "({} of {})".format(*_checked_flags(r["ptc_all_articles"]["flags_by_split"])))
    return ["", "Before and after, same test split and command (`--model` each earlier model, "
            "then this one):", "",
            "| | " + " | ".join(before) + " | this model |",
            "|---|" + "---:|" * (len(before) + 1),
            row("all PTC articles (371): sentences flagged", ptc_all),
            row("all PTC articles: precision of those flags (every sentence read; train "
                "articles in-sample for models trained on them, dev articles too for a model "
                "cross-fitted on dev)", ptc_precision),
            row("PTC test articles: sentences flagged",
                lambda r: f"{r['by_source']['ptc']['model']['share_flagged']:.1%}"),
            row("PTC test articles: precision of flags (every sentence read)",
                lambda r: f"{r['by_source']['ptc']['model']['flag_precision']:.3f}"),
            row("real-text test: micro-F1", lambda r: f"{r['all']['model']['micro_f1']:.3f}"),
            row("real-text test: precision of flags",
                lambda r: f"{r['all']['model']['flag_precision']:.3f}")]


def readme_lines(report: dict, before: dict[str, dict] | None = None) -> list[str]:
    rows = [("real-text test, all", report["all"]),
            ("PTC test articles (60, US/UK news)", report["by_source"]["ptc"]),
            ("EUvsDisinfo titles, May-June 2020", report["by_source"]["euvsdisinfo"])]
    lines = [f"Measured with `python benchmarks/real_text.py --ptc PATH` ({report.get('machine', '')}).", "",
             "| real-text test split | sentences | | micro-F1 | macro-F1 | flags | precision of flags | recall | sentences flagged |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|"]
    for name, result in rows:
        for who in ("model", "baseline"):
            r = result.get(who)
            if r is None:
                continue
            label = "framescope" if who == "model" else "TF-IDF + LR"
            lines.append(f"| {name} | {r['examples']:,} | {label} | {r['micro_f1']:.3f} | "
                         f"{r['macro_f1']:.3f} | {r['flags']} | {r['flag_precision']:.3f} | "
                         f"{r['micro_recall']:.3f} | {r['share_flagged']:.1%} |")
    if "bootstrap" in report:
        b = report["bootstrap"]
        span = lambda name: f"{b[name][0]:.3f} to {b[name][1]:.3f}"
        lines += ["", f"How sure: 95% intervals from a paired bootstrap over whole documents "
                  f"({b['resamples']:,} resamples of the {b['documents']:,} documents, seed "
                  f"{b['seed']}). framescope micro-F1 {span('model_micro_f1')}, precision of "
                  f"flags {span('model_flag_precision')}; TF-IDF + LR {span('baseline_micro_f1')} "
                  f"and {span('baseline_flag_precision')}; framescope minus TF-IDF + LR: "
                  f"micro-F1 {span('difference_micro_f1')}, precision of flags "
                  f"{span('difference_flag_precision')}."]
    ptc = report["ptc_all_articles"]
    lines.append("")
    by_split = ptc["flags_by_split"]
    lines.append(f"All {ptc['articles']} PTC articles: {ptc['sentences_flagged']:,} of "
                 f"{ptc['sentences']:,} sentences flagged ({ptc['share_flagged']:.1%}). Every "
                 "sentence of them has been read, so every flag is checked: precision "
                 + ", ".join(f"{by_split[k]['precision']:.3f} on the {by_split[k]['flags']} flags "
                             f"in the {k} articles" for k in ("test", "dev", "train")
                             if by_split[k]["flags"])
                 + (" (the train and dev articles are in the model's training data)."
                    if report.get("trained_on_dev") else
                    " (the train articles are in the model's training data).")
                 + " A count built on a model's flags should be judged on the test articles.")
    if before:
        lines += _before_after(before, report)
    return lines


if __name__ == "__main__":
    main()
