"""Real-article check on the Propaganda Techniques Corpus (PTC, SemEval-2020 Task 11).

    python benchmarks/ptc_overlap.py --ptc ../shared/data/ptc [--model models/default] [--sample 30]

PTC annotates propaganda *techniques* (loaded language, name calling, appeal to fear, ...), not
our framings, so this is no accuracy score. It asks two things a user of real news articles
cares about:

1. Sentence splitting on 371 real articles: speed (MB/s) and whether every sentence offset is
   exact.
2. Do framing spans land where human annotators saw propaganda? The share of framescope spans
   whose sentence overlaps at least one PTC technique span, against the same share for all
   sentences (the base rate). A ratio above 1 means framings concentrate in propagandistic text.
3. `--sample N` prints N flagged sentences drawn at random (seeded) to stderr, for a person to
   judge: PTC has no framing labels, so precision on real articles needs a human reading.

Cite: G. Da San Martino, S. Yu, A. Barrón-Cedeño, R. Petrov, P. Nakov, "Fine-Grained Analysis
of Propaganda in News Articles", EMNLP 2019. The articles are read from --ptc, never copied.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def load_ptc(root: Path):
    articles = {}
    for path in sorted((root / "train-articles").glob("article*.txt")):
        articles[path.stem.replace("article", "")] = path.read_text(encoding="utf-8")
    techniques = defaultdict(list)
    for path in sorted((root / "train-labels-TC").glob("*.labels")):
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) == 4:
                techniques[parts[0]].append((int(parts[2]), int(parts[3])))
    return articles, techniques


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ptc", required=True, help="folder with train-articles/ and train-labels-TC/")
    parser.add_argument("--model", default=str(REPO / "models" / "default"))
    parser.add_argument("--sample", type=int, default=0, help="print N random flagged spans")
    args = parser.parse_args()

    from framescope import load_model, predict, split_sentences

    articles, techniques = load_ptc(Path(args.ptc))
    if not articles:
        raise SystemExit(f"{args.ptc}: no train-articles/article*.txt found")
    texts = list(articles.values())
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    start = time.perf_counter()
    sentences = {key: split_sentences(text) for key, text in articles.items()}
    split_seconds = time.perf_counter() - start
    exact = all(text[a:b] == text[a:b].strip() and b > a
                for key, text in articles.items() for a, b in sentences[key])

    model = load_model(args.model)
    start = time.perf_counter()
    all_spans = dict(zip(articles, predict(texts, model)))
    predict_seconds = time.perf_counter() - start

    def overlaps(key, a, b):
        return any(s < b and a < e for s, e in techniques.get(key, []))

    n_sentences = sum(len(v) for v in sentences.values())
    base = sum(overlaps(k, a, b) for k, v in sentences.items() for a, b in v) / n_sentences
    flagged = {(k, s.start, s.end) for k, spans in all_spans.items() for s in spans}
    hit = sum(overlaps(k, a, b) for k, a, b in flagged) / len(flagged) if flagged else 0.0
    per_label = defaultdict(int)
    for spans in all_spans.values():
        for s in spans:
            per_label[s.label] += 1
    if args.sample:
        import random

        spans = sorted((k, s.start, s.label, round(s.score, 2), " ".join(s.text.split()))
                       for k, spans in all_spans.items() for s in spans)
        for row in random.Random(0).sample(spans, min(args.sample, len(spans))):
            print("\t".join(map(str, row)), file=sys.stderr)
    print(json.dumps({
        "articles": len(articles), "megabytes": round(megabytes, 2), "sentences": n_sentences,
        "split_mb_per_s": round(megabytes / split_seconds, 2), "offsets_exact": exact,
        "predict_seconds": round(predict_seconds, 1),
        "split_share_of_predict": round(split_seconds / predict_seconds, 3),
        "flagged_sentences": len(flagged),
        "share_of_all_sentences_with_ptc_technique": round(base, 3),
        "share_of_flagged_sentences_with_ptc_technique": round(hit, 3),
        "ratio": round(hit / base, 2) if base else None,
        "spans_per_label": dict(sorted(per_label.items(), key=lambda kv: -kv[1])),
    }))


if __name__ == "__main__":
    main()
