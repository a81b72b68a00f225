"""What `data/annotated/` holds: sentences by source, split and why chosen; labels per split.

    python scripts/annotation_stats.py [--markdown]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> None:
    from framescope.inference.taxonomy import Taxonomy
    from framescope.train.real_text import read_annotations

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    rows = read_annotations()
    labels = Taxonomy.load(REPO / "data" / "taxonomy.yaml").names
    chosen = Counter((r["source"], r["split"], r["selected_by"].split(":")[0]) for r in rows)
    with_label = Counter((r["source"], r["split"], r["selected_by"].split(":")[0])
                         for r in rows if r["labels"])
    per_label = {split: Counter(l for r in rows if r["split"] == split for l in r["labels"])
                 for split in ("train", "dev", "test")}
    per_label_ptc = Counter(l for r in rows if r["source"] == "ptc" for l in r["labels"])
    changed = [r for r in rows if r["source"] == "euvsdisinfo"]
    differs = sum(sorted(r["labels"]) != sorted(r["weak_labels"]) for r in changed)
    if not args.markdown:
        print(json.dumps({"sentences": len(rows), "chosen": {"/".join(k): v for k, v in chosen.items()},
                          "per_label": per_label, "euvs_weak_differs": differs}, indent=2))
        return
    print(f"{len(rows):,} sentences labelled by reading.\n")
    print("| source | split | chosen as | sentences | with a framing |")
    print("|---|---|---|---:|---:|")
    for key in sorted(chosen):
        print(f"| {key[0]} | {key[1]} | {key[2]} | {chosen[key]:,} | {with_label[key]:,} |")
    print(f"\nEUvsDisinfo titles whose reviewed labels differ from their weak (keyword) labels: "
          f"{differs} of {len(changed)}.\n")
    print("| label | train | dev | test | of which PTC (all splits) |")
    print("|---|---:|---:|---:|---:|")
    for label in labels:
        print(f"| {label} | {per_label['train'][label]} | {per_label['dev'][label]} | "
              f"{per_label['test'][label]} | {per_label_ptc[label]} |")


if __name__ == "__main__":
    main()
