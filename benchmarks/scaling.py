"""Scaling benchmark: the local engine with 1 and 2 worker processes, and the Ray engine with 1
and 2 actors, on the same sharded corpus; checks that every run writes the same records.

    python benchmarks/scaling.py --records 20000 --shards 4 [--model models/default] [--write-readme]

The corpus is `--records` JSONL documents of one to three real sentences each (EUvsDisinfo case
titles and the example article's sentences), split into `--shards` files, with an empty text
every 1,000 records and a broken JSON line every 2,000 (both must come back as error records).
Each run is one `framescope predict` command in its own process, timed end to end (start-up,
model load, Ray start-up for the Ray runs, reading, splitting, scoring, writing). The local
single-worker run is the reference: for every other run the benchmark reports how many records
are identical to it, the largest score difference and how many records' label sets differ.
Prints one JSON line; `--write-readme` puts the table into the README's Ray section.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from corpus import real_sentences  # noqa: E402  (benchmarks/ is the script's folder)
from readme_block import write_readme_block  # noqa: E402

RUNS = {  # name -> extra `framescope predict` arguments
    "local, 1 worker": ["--workers", "1"],
    "local, 2 workers": ["--workers", "2"],
    "ray, 1 actor": ["--engine", "ray", "--workers", "1"],
    "ray, 2 actors": ["--engine", "ray", "--workers", "2"],
}


def make_corpus(folder: Path, records: int, shards: int) -> tuple[list[Path], int]:
    """Write the shards; returns their paths and the number of sentences in them."""
    from framescope.inference.segmentation import split_sentences

    pool = [sentence.strip() for sentence in real_sentences()]
    rng = random.Random(13)
    paths = [folder / f"shard{i:02d}.jsonl" for i in range(shards)]
    handles = [p.open("w", encoding="utf-8") for p in paths]
    sentences = 0
    per_shard = -(-records // shards)
    for i in range(records):
        out = handles[i // per_shard]
        if i % 2000 == 1999:
            out.write('{"id": "broken", "text": \n')
            continue
        if i % 1000 == 999:
            out.write(json.dumps({"id": str(i), "text": ""}) + "\n")
            continue
        picked = rng.sample(pool, rng.randint(1, 3))
        text = " ".join(s if s.endswith((".", "!", "?", "…")) else s + "." for s in picked)
        sentences += len(split_sentences(text))
        out.write(json.dumps({"id": str(i), "text": text}, ensure_ascii=False) + "\n")
    for handle in handles:
        handle.close()
    return paths, sentences


def read_output(path: Path, shards: list[Path]) -> list[dict]:
    """All output records in input order: one Parquet file, or a folder of Ray shards."""
    import pyarrow.parquet as pq

    from framescope.inference.ray_engine import shard_name

    if path.is_dir():
        return [row for shard in shards for row in pq.read_table(path / shard_name(shard)).to_pylist()]
    return pq.read_table(path).to_pylist()


def compare(reference: list[dict], candidate: list[dict]) -> dict:
    identical = sum(a == b for a, b in zip(reference, candidate))
    max_diff, label_sets_differ = 0.0, 0
    for a, b in zip(reference, candidate):
        if a["error"] or b["error"]:
            label_sets_differ += a["error"] != b["error"]
            continue
        for label, scores in a["summary"].items():
            max_diff = max(max_diff, abs(scores["max_score"] - b["summary"][label]["max_score"]))
        label_sets_differ += ({(s["start"], s["label"]) for s in a["spans"]}
                              != {(s["start"], s["label"]) for s in b["spans"]})
    return {"records": len(candidate), "identical": identical,
            "max_score_diff": round(max_diff, 6), "label_sets_differ": label_sets_differ,
            "errors": sum(1 for r in candidate if r["error"])}


def run(name: str, shards: list[Path], out: Path, model: Path) -> float:
    command = [sys.executable, "-m", "framescope.cli", "predict", *map(str, shards), "-o",
               str(out), "--model", str(model), "--no-progress", *RUNS[name]]
    env = dict(os.environ, RAY_ENABLE_UV_RUN_RUNTIME_ENV="0")
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{name} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--model", type=Path, default=REPO / "models" / "default")
    parser.add_argument("--runs", nargs="*", default=list(RUNS), choices=list(RUNS))
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()

    from framescope.train.trainer import _cpu_name as cpu_name  # one definition of "which CPU is this"

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shards, sentences = make_corpus(tmp, args.records, args.shards)
        results, reference = {}, None
        for index, name in enumerate(args.runs):
            out = tmp / (f"out{index}" if "ray" in name else f"out{index}.parquet")
            seconds = run(name, shards, out, args.model)
            records = read_output(out, shards)
            results[name] = {"seconds": round(seconds, 1),
                             "records_per_s": round(args.records / seconds, 1),
                             "sentences_per_s": round(sentences / seconds, 1)}
            if reference is None:
                reference = records
                results[name].update(records=len(records),
                                     errors=sum(1 for r in records if r["error"]))
            else:
                results[name].update(compare(reference, records))
            print(name, json.dumps(results[name]), file=sys.stderr, flush=True)
    summary = {"records": args.records, "shards": args.shards, "sentences": sentences,
               "machine": f"{cpu_name()}, {os.cpu_count()} cores", "runs": results}
    print(json.dumps(summary))
    if args.write_readme:
        write_readme_table(summary)


def write_readme_table(summary: dict) -> None:
    rows = ["| run | seconds | records/s | sentences/s | records identical to local, 1 worker "
            "| max score diff | label sets differ |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name, r in summary["runs"].items():
        same = f"{r['identical']:,} of {r['records']:,}" if "identical" in r else "(reference)"
        rows.append(f"| {name} | {r['seconds']} | {r['records_per_s']} | {r['sentences_per_s']} "
                    f"| {same} | {r.get('max_score_diff', '-')} | {r.get('label_sets_differ', '-')} |")
    write_readme_block("scaling", [
        f"Measured with `python benchmarks/scaling.py --records {summary['records']} --shards "
        f"{summary['shards']} --write-readme` on {summary['machine']}: {summary['records']:,} "
        f"JSONL records ({summary['sentences']:,} sentences, with empty and broken records) in "
        f"{summary['shards']} shards, end to end including start-up.",
        "",
        *rows,
    ])


if __name__ == "__main__":
    main()
