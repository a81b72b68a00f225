"""Real sentences for the benchmarks: the example article's sentences (whitespace collapsed)
followed by the EUvsDisinfo case titles (as written in the CSV)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def real_sentences() -> list[str]:
    sys.path.insert(0, str(REPO))
    from framescope.inference.segmentation import split_sentences

    article = (REPO / "data" / "examples" / "kazakhstan_csto_2022.txt").read_text("utf-8")
    sentences = [" ".join(article[a:b].split()) for a, b in split_sentences(article)]
    with (REPO / "data" / "raw" / "euvsdisinfo" / "cases_2015-01_2020-06.csv").open() as handle:
        sentences += [row["title"] for row in csv.DictReader(handle)]
    return sentences
