"""Gather the readers' label files into `data/annotated/` with full provenance.

    python scripts/collect_readings.py --pool POOL.jsonl --labels LABEL_DIR --ptc ../shared/data/ptc

`POOL.jsonl` is what `select_for_reading.py` chose (kept outside the repository: it holds PTC
text); LABEL_DIR holds one `batch_NN.jsonl` per reading batch (first readers) and
`overlap_N.jsonl` (the second reader, blind). Readers are named in `--readers` as
`batch_NN=reader-K` pairs. Writes `ptc.jsonl` (offsets and a sha1 of each sentence, no text),
`euvsdisinfo.jsonl` (titles with reviewed and weak labels) and `second_reader.jsonl`.

A later round is added with `--append --round N`: the rows already in the three files stay as
they are, the round's rows (each marked with `round`) are added after them, and a sentence
labelled in an earlier round is an error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

METHOD = "read against data/annotation_guide.md by an LLM helper reader (no scores shown)"


def main() -> None:
    from framescope.train.real_text import ANNOTATED_DIR, ptc_articles, sentence_sha1

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool", required=True, type=Path)
    parser.add_argument("--labels", required=True, type=Path)
    parser.add_argument("--ptc", required=True)
    parser.add_argument("--readers", required=True, help="JSON {batch name: reader name}")
    parser.add_argument("--out", type=Path, default=ANNOTATED_DIR)
    parser.add_argument("--append", action="store_true", help="add a later round to the files")
    parser.add_argument("--round", type=int, help="the round's number, stored on its rows")
    args = parser.parse_args()
    kept = {name: [] for name in ("ptc", "euvsdisinfo", "second_reader")}
    if args.append:
        for name in kept:
            path = args.out / f"{name}.jsonl"
            kept[name] = path.read_text("utf-8").splitlines() if path.exists() else []
    earlier = {json.loads(line)["id"] for name in ("ptc", "euvsdisinfo") for line in kept[name]}
    readers = json.loads(args.readers)
    pool = {}
    for line in args.pool.open(encoding="utf-8"):
        row = json.loads(line)
        pool[row["id"]] = row
    articles = ptc_articles(args.ptc)
    first, second = {}, {}
    for path in sorted(args.labels.glob("*.jsonl")):
        target = second if path.stem.startswith("overlap") else first
        for line in path.open(encoding="utf-8"):
            if line.strip():
                row = json.loads(line)
                if row["id"] in target:
                    raise SystemExit(f"{path}: {row['id']} labelled twice")
                target[row["id"]] = {**row, "annotator": readers[path.stem], "batch": path.stem}
    again = sorted(set(first) & earlier)
    if again:
        raise SystemExit(f"{len(again)} sentences were labelled in an earlier round: {again[:3]}")
    missing = sorted(set(pool) - set(first))
    if missing:
        print(f"warning: {len(missing)} selected sentences not labelled yet (first {missing[:3]})",
              file=sys.stderr)
    args.out.mkdir(parents=True, exist_ok=True)
    written = {"ptc": 0, "euvsdisinfo": 0}
    with (args.out / "ptc.jsonl").open("w", encoding="utf-8") as ptc_out, \
            (args.out / "euvsdisinfo.jsonl").open("w", encoding="utf-8") as euvs_out:
        for line in kept["ptc"]:
            ptc_out.write(line + "\n")
        for line in kept["euvsdisinfo"]:
            euvs_out.write(line + "\n")
        for sentence_id, row in pool.items():
            label = first.get(sentence_id)
            if label is None:
                continue
            record = {"id": sentence_id, "source": row["source"], "doc_id": row["doc_id"],
                      "start": row["start"], "end": row["end"]}
            if row["source"] == "ptc":
                text = articles[row["doc_id"]][row["start"]:row["end"]]
                assert text == row["text"], sentence_id
                record["sha1"] = sentence_sha1(text)
            else:
                record.update(text=row["text"], date=row["date"], weak_labels=row["weak_labels"])
            record.update(split=row["split"], selected_by=row["selected_by"],
                          labels=sorted(set(label["labels"])), status="reviewed",
                          annotator=label["annotator"], method=METHOD)
            if label.get("note"):
                record["note"] = label["note"]
            if row["source"] == "ptc":
                record["flagged_by_v1"] = row["flagged_by_v1"]
            if args.round:
                record["round"] = args.round
            out = ptc_out if row["source"] == "ptc" else euvs_out
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            written[row["source"]] += 1
    with (args.out / "second_reader.jsonl").open("w", encoding="utf-8") as handle:
        for line in kept["second_reader"]:
            handle.write(line + "\n")
        for sentence_id, label in second.items():
            row = {"id": sentence_id, "labels": sorted(set(label["labels"])),
                   "annotator": label["annotator"], "method": METHOD}
            if args.round:
                row["round"] = args.round
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(json.dumps({**written, "second_reader": len(second)}))


if __name__ == "__main__":
    main()
