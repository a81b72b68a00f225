"""Inter-reader agreement on the sentences two readers labelled blind (data/annotated/).

    python scripts/agreement.py [--markdown]

For each label: Cohen's kappa between the first reader (`ptc.jsonl`, `euvsdisinfo.jsonl`) and
the second reader (`second_reader.jsonl`), with how many sentences each gave the label; plus
the share of sentences with exactly the same label set. Kappa is undefined (shown as -) when
neither reader used a label on the overlap.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def agreement(first: dict[str, list[str]], second: dict[str, list[str]], labels: list[str]) -> dict:
    from sklearn.metrics import cohen_kappa_score

    ids = sorted(set(first) & set(second))
    rows = {}
    for label in labels:
        a = [label in first[i] for i in ids]
        b = [label in second[i] for i in ids]
        kappa = cohen_kappa_score(a, b) if any(a) or any(b) else None
        rows[label] = {"first": sum(a), "second": sum(b), "both": sum(x and y for x, y in zip(a, b)),
                       "kappa": None if kappa is None else round(float(kappa), 3)}
    any_a = [bool(first[i]) for i in ids]
    any_b = [bool(second[i]) for i in ids]
    return {"sentences": len(ids),
            "same_label_set": round(sum(sorted(first[i]) == sorted(second[i]) for i in ids) / len(ids), 3),
            "any_framing_kappa": round(float(cohen_kappa_score(any_a, any_b)), 3),
            "per_label": rows}


def main() -> None:
    from framescope.inference.taxonomy import Taxonomy
    from framescope.train.real_text import ANNOTATED_DIR, read_annotations

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--write-readme", action="store_true",
                        help="put the markdown into data/README.md (agreement block)")
    args = parser.parse_args()
    first = {r["id"]: r["labels"] for r in read_annotations()}
    second, rounds = {}, {}
    for line in (ANNOTATED_DIR / "second_reader.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        second[row["id"]] = row["labels"]
        rounds.setdefault(row.get("round", "1-3"), {})[row["id"]] = row["labels"]
    labels = Taxonomy.load(REPO / "data" / "taxonomy.yaml").names
    result = agreement(first, second, labels)
    result["by_round"] = {str(n): {k: v for k, v in agreement(first, part, labels).items()
                                   if k != "per_label"}
                          for n, part in rounds.items()}
    if not (args.markdown or args.write_readme):
        print(json.dumps(result, indent=2))
        return
    lines = [f"{result['sentences']} sentences read by both; same label set on "
             f"{result['same_label_set']:.1%}; Cohen's kappa for 'any framing' "
             f"{result['any_framing_kappa']:.2f}.", "",
             *[f"- round {n}: {r['sentences']} sentences, same label set on "
               f"{r['same_label_set']:.1%}, kappa for 'any framing' {r['any_framing_kappa']:.2f}"
               for n, r in result["by_round"].items()], "",
             "| label | first reader | second reader | both | Cohen's kappa |",
             "|---|---:|---:|---:|---:|"]
    for label, r in result["per_label"].items():
        kappa = "-" if r["kappa"] is None else f"{r['kappa']:.2f}"
        lines.append(f"| {label} | {r['first']} | {r['second']} | {r['both']} | {kappa} |")
    print("\n".join(lines))
    if args.write_readme:
        from benchmarks.readme_block import write_readme_block

        write_readme_block("agreement", lines, REPO / "data" / "README.md")


if __name__ == "__main__":
    main()
