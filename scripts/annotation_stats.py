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
    parser.add_argument("--write-readme", action="store_true",
                        help="put the markdown into data/README.md (annotation-stats block)")
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
    if not (args.markdown or args.write_readme):
        print(json.dumps({"sentences": len(rows), "chosen": {"/".join(k): v for k, v in chosen.items()},
                          "per_label": per_label, "euvs_weak_differs": differs}, indent=2))
        return
    lines = [f"{len(rows):,} sentences labelled by reading (`python scripts/annotation_stats.py "
             "--markdown`):", "",
             "| source | split | chosen as | sentences | with a framing |",
             "|---|---|---|---:|---:|"]
    lines += [f"| {k[0]} | {k[1]} | {k[2]} | {chosen[k]:,} | {with_label[k]:,} |" for k in sorted(chosen)]
    lines += ["", f"EUvsDisinfo titles whose reviewed labels differ from their weak (keyword) "
              f"labels: {differs:,} of {len(changed):,}.", "",
              "| label | train | dev | test | of which PTC (all splits) |",
              "|---|---:|---:|---:|---:|"]
    lines += [f"| {label} | {per_label['train'][label]} | {per_label['dev'][label]} | "
              f"{per_label['test'][label]} | {per_label_ptc[label]} |" for label in labels]
    print("\n".join(lines))
    if args.write_readme:
        from benchmarks.readme_block import write_readme_block

        write_readme_block("annotation-stats", lines, REPO / "data" / "README.md")


if __name__ == "__main__":
    main()
