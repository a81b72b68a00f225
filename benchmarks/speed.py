"""Speed benchmark: `framescope predict` against the naive `transformers` pipeline.

    python benchmarks/speed.py --n 5000 [--model models/default] [--write-readme]
    python benchmarks/speed.py --n 50000 --device cuda --write-readme      # on a GPU machine

Both read the same JSONL corpus of N sentences made from real text (EUvsDisinfo case titles
and the example article's sentences), score it and write JSONL, end to end:

  naive  - `pipeline("text-classification", top_k=None)` called on the list with its default
           settings, over the same encoder and a same-size classification head (our model class
           is not a `transformers` class, so the pipeline cannot load it directly; the FLOPs are
           the same);
  ours   - `framescope predict corpus.jsonl -o out.jsonl --precision P` for each CPU mode.

Each run happens in its own subprocess, so peak RSS is per run. For reduced precision it
reports the largest score difference against fp32 and the share of sentences whose label set
changes. Prints one JSON line (`naive_sps`, `ours_sps`, `ratio`, ...).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from corpus import real_sentences  # noqa: E402  (benchmarks/ is the script's folder)
from readme_block import write_readme_block  # noqa: E402


def make_corpus(path: Path, n: int) -> None:
    sentences = real_sentences()
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            out.write(json.dumps({"id": str(i), "text": sentences[i % len(sentences)]}) + "\n")


def cpu_name() -> str:
    from framescope.train.trainer import _cpu_name  # one definition of "which CPU is this"

    return _cpu_name()


# -- the timed runs (each in a subprocess) --------------------------------------------------

def run_naive(model_dir: Path, corpus: Path, out: Path, device: str = "cpu") -> dict:
    import torch
    from safetensors.torch import load_file
    from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer, pipeline

    settings = json.loads((model_dir / "framescope.json").read_text())
    config = AutoConfig.from_pretrained(str(model_dir), num_labels=len(settings["labels"]),
                                        problem_type="multi_label_classification")
    classifier = AutoModelForSequenceClassification.from_config(config)
    state = {k: v.float() for k, v in load_file(str(model_dir / "model.safetensors")).items()}
    encoder = {k.replace("encoder.", "bert.", 1): v for k, v in state.items() if k.startswith("encoder.")}
    classifier.load_state_dict(encoder, strict=False)  # encoder weights; head of the same size
    classifier.eval()
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    start = time.perf_counter()
    records = [json.loads(line) for line in corpus.open(encoding="utf-8")]
    pipe = pipeline("text-classification", model=classifier, tokenizer=tokenizer, top_k=None,
                    device=0 if device == "cuda" else -1)
    with torch.inference_mode():
        results = pipe([r["text"] for r in records])
    with out.open("w", encoding="utf-8") as handle:
        for record, result in zip(records, results):
            handle.write(json.dumps({**record, "scores": result}) + "\n")
    return {"seconds": time.perf_counter() - start}


def run_ours(model_dir: Path, corpus: Path, out: Path, precision: str, device: str = "cpu") -> dict:
    from framescope.cli import main

    start = time.perf_counter()
    code = main(["predict", str(corpus), "-o", str(out), "--model", str(model_dir),
                 "--precision", precision, "--device", device, "--no-progress"])
    assert code == 0
    return {"seconds": time.perf_counter() - start}


def child(args) -> None:
    corpus, out = Path(args.corpus), Path(args.out)
    if args.child == "naive":
        result = run_naive(Path(args.model), corpus, out, args.device)
    else:
        result = run_ours(Path(args.model), corpus, out, args.child, args.device)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(result))


def timed(mode: str, model: Path, corpus: Path, out: Path, device: str) -> dict:
    command = [sys.executable, __file__, "--child", mode, "--model", str(model),
               "--corpus", str(corpus), "--out", str(out), "--device", device]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [l for l in done.stdout.splitlines() if l.startswith("RESULT ")]
    if done.returncode or not lines:
        raise RuntimeError(f"{mode} failed:\n{done.stderr[-3000:]}")
    return json.loads(lines[-1][7:])


def drift(reference: Path, candidate: Path, thresholds: dict) -> dict:
    import numpy as np

    def scores(path):
        rows = [json.loads(line) for line in path.open(encoding="utf-8")]
        return np.array([[r["summary"][l]["max_score"] for l in thresholds] for r in rows])

    a, b = scores(reference), scores(candidate)
    cut = np.array(list(thresholds.values()))
    changed = ((a >= cut) != (b >= cut)).any(axis=1).mean()
    return {"max_score_diff": round(float(np.abs(a - b).max()), 5),
            "label_set_changed_share": round(float(changed), 5)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--model", default=str(REPO / "models" / "default"))
    parser.add_argument("--modes", default="fp32,bf16")
    parser.add_argument("--device", default="cpu", help="cpu, or cuda on a GPU machine")
    parser.add_argument("--write-readme", action="store_true")
    parser.add_argument("--child"), parser.add_argument("--corpus"), parser.add_argument("--out")
    args = parser.parse_args()
    if args.child:
        return child(args)

    model = Path(args.model)
    thresholds = json.loads((model / "framescope.json").read_text())["thresholds"]
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        corpus = scratch / "corpus.jsonl"
        make_corpus(corpus, args.n)
        results = {"naive": timed("naive", model, corpus, scratch / "naive.jsonl", args.device)}
        for mode in args.modes.split(","):
            results[mode] = timed(mode, model, corpus, scratch / f"{mode}.jsonl", args.device)
            if mode != "fp32" and "fp32" in results:
                results[mode].update(drift(scratch / "fp32.jsonl", scratch / f"{mode}.jsonl",
                                           thresholds))
    for result in results.values():
        result["sps"] = round(args.n / result["seconds"], 1)
        result["seconds"] = round(result["seconds"], 2)
        result["peak_rss_mb"] = round(result["peak_rss_mb"], 1)

    from framescope.inference.precision import choose_precision

    default_mode = choose_precision("auto", args.device)
    machine = f"{cpu_name()}, {os.cpu_count()} cores"
    if args.device == "cuda":
        import torch

        machine = f"{torch.cuda.get_device_name(0)} (host: {machine})"
    if default_mode not in results:  # --modes left out the automatic choice
        default_mode = "fp32"
    ours = results[default_mode]
    summary = {
        "n": args.n, "machine": machine, "device": args.device,
        "naive_sps": results["naive"]["sps"], "ours_sps": ours["sps"], "ours_mode": default_mode,
        "ratio": round(ours["sps"] / results["naive"]["sps"], 2), "runs": results,
    }
    print(json.dumps(summary))
    if args.write_readme:
        write_readme_table(summary)


def write_readme_table(summary: dict) -> None:
    rows = ["| run | sentences/s | peak RSS (MB) | max score diff vs fp32 | label sets changed |",
            "|---|---:|---:|---:|---:|"]
    for name, r in summary["runs"].items():
        label = "naive `pipeline(...)`" if name == "naive" else f"`framescope predict --precision {name}`"
        changed = r.get("label_set_changed_share")
        changed = "-" if changed is None else f"{100 * changed:.2f}%"
        rows.append(f"| {label} | {r['sps']} | {r['peak_rss_mb']} | "
                    f"{r.get('max_score_diff', '-')} | {changed} |")
    gpu = summary.get("device") == "cuda"
    write_readme_block("speed-gpu" if gpu else "speed", [
        f"Measured with `python benchmarks/speed.py --n {summary['n']}"
        f"{' --device cuda' if gpu else ''} --write-readme` on "
        f"{summary['machine']}; end to end (read, split, score, write). Default CPU mode here: "
        f"`{summary['ours_mode']}`, **{summary['ratio']}x** the naive pipeline.",
        "",
        *rows,
    ])


if __name__ == "__main__":
    main()
