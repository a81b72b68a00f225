"""Choose the real sentences that readers label for issue 10, and write reading batches.

    python scripts/select_for_reading.py --ptc ../shared/data/ptc --out /tmp/framescope-reading

A model (the default model as it stood before any real-text training, "v1") only chooses *which*
sentences are read; the batches carry no scores, no flags and no weak labels, and selected and
random sentences are shuffled together so a reader cannot tell them apart.

Splits are decided here, once, before anything is trained on real text:

* PTC (Da San Martino et al., EMNLP 2019; train-articles): the articles are shuffled with a fixed
  seed; the first 60 are the real-text **test** split and the next 30 the **dev** split; every
  sentence of those 90 articles is read. In the other articles (**train**), every sentence v1
  flags is read, plus 1,000 drawn at random.
* EUvsDisinfo titles (EU East StratCom Task Force): 250 drawn at random from 2020-05/06 (**test**),
  150 from 2020-03/04 (**dev**); from the earlier titles (**train**), the 450 whose weak labels
  are most likely wrong by confident learning (cleanlab, out-of-fold TF-IDF + logistic
  regression probabilities), plus 15 weak positives per label drawn at random. Two later
  rounds (`euvsdisinfo_more`) added 20 weak positives per label, 1,700 random train titles and
  250 more dev titles.

Writes `pool.jsonl` (every selected sentence with its provenance and why it was chosen, kept
outside the repository since PTC text may not be copied) and `batch_NN.jsonl` for the readers.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SEED = 2026
TEST_ARTICLES, DEV_ARTICLES, TRAIN_RANDOM = 60, 30, 1000
EUVS_TEST, EUVS_DEV, EUVS_SUSPECT, EUVS_PER_LABEL = 250, 150, 450, 15


def ptc_pool(ptc: Path, model_path: str) -> list[dict]:
    from framescope import load_model, predict, split_sentences

    articles = {p.stem.replace("article", ""): p.read_text("utf-8")
                for p in sorted((ptc / "train-articles").glob("article*.txt"))}
    ids = sorted(articles)
    random.Random(SEED).shuffle(ids)
    split = {i: "test" for i in ids[:TEST_ARTICLES]}
    split.update({i: "dev" for i in ids[TEST_ARTICLES:TEST_ARTICLES + DEV_ARTICLES]})
    model = load_model(model_path)
    flagged = set()
    for doc_id, spans in zip(articles, predict(list(articles.values()), model)):
        flagged.update((doc_id, s.start, s.end) for s in spans)
    rows, train_unflagged = [], []
    for doc_id, text in articles.items():
        sentences = split_sentences(text)
        title = text[sentences[0][0]:sentences[0][1]] if sentences else ""
        for n, (a, b) in enumerate(sentences):
            row = {"id": f"ptc-{doc_id}-{n:04d}", "source": "ptc", "doc_id": doc_id,
                   "start": a, "end": b, "text": text[a:b],
                   "context": text[sentences[n - 1][0]:sentences[n - 1][1]] if n else "",
                   "title": title, "split": split.get(doc_id, "train"),
                   "flagged_by_v1": (doc_id, a, b) in flagged}
            if row["split"] != "train":
                rows.append({**row, "selected_by": "whole_article"})
            elif row["flagged_by_v1"]:
                rows.append({**row, "selected_by": "flagged_by_v1"})
            else:
                train_unflagged.append(row)
    train_all = train_unflagged + [r for r in rows if r["split"] == "train"]
    # Random draw over *all* train sentences (flagged ones included, as a random draw would).
    drawn = random.Random(SEED + 1).sample(sorted(train_all, key=lambda r: r["id"]), TRAIN_RANDOM)
    have = {r["id"] for r in rows}
    for row in drawn:
        if row["id"] in have:
            next(r for r in rows if r["id"] == row["id"])["also_random"] = True
        else:
            rows.append({**row, "selected_by": "random"})
    return rows


def euvsdisinfo_pool() -> list[dict]:
    from cleanlab.filter import find_label_issues
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict
    from sklearn.multiclass import OneVsRestClassifier

    from framescope.train.default_data import euvsdisinfo_examples

    import csv

    ids_by_title = {}
    with (REPO / "data/raw/euvsdisinfo/cases_2015-01_2020-06.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            ids_by_title.setdefault(" ".join(row["title"].split()), row["id"])
    examples = euvsdisinfo_examples()
    labels = sorted({l for e in examples for l in e.labels})

    def row_for(e, split, why):
        return {"id": f"euvs-{ids_by_title[e.text]}", "source": "euvsdisinfo",
                "doc_id": ids_by_title[e.text], "start": 0, "end": len(e.text), "text": e.text,
                "context": "", "title": "", "split": split, "selected_by": why,
                "weak_labels": e.labels, "date": e.extra["date"]}

    rng = random.Random(SEED + 2)
    late = sorted((e for e in examples if e.extra["date"][:7] >= "2020-05"), key=lambda e: e.text)
    mid = sorted((e for e in examples if "2020-03" <= e.extra["date"][:7] < "2020-05"),
                 key=lambda e: e.text)
    early = [e for e in examples if e.extra["date"][:7] < "2020-03"]
    rows = [row_for(e, "test", "random_latest_months") for e in rng.sample(late, EUVS_TEST)]
    rows += [row_for(e, "dev", "random_2020_03_04") for e in rng.sample(mid, EUVS_DEV)]

    texts = [e.text for e in early]
    y = np.array([[l in e.labels for l in labels] for e in early], dtype=int)
    classifier = OneVsRestClassifier(LogisticRegression(max_iter=2000, C=4.0, class_weight="balanced"))
    features = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit_transform(texts)
    probabilities = cross_val_predict(classifier, features, y, cv=5, method="predict_proba")
    given = [[j for j in range(len(labels)) if y[i, j]] for i in range(len(early))]
    ranked = find_label_issues(given, probabilities, multi_label=True,
                               return_indices_ranked_by="self_confidence")
    chosen = set()
    for i in ranked[:EUVS_SUSPECT]:
        chosen.add(i)
        rows.append(row_for(early[i], "train", "cleanlab_suspect"))
    for label in labels:
        positives = [i for i in range(len(early)) if label in early[i].labels and i not in chosen]
        for i in rng.sample(positives, min(EUVS_PER_LABEL, len(positives))):
            chosen.add(i)
            rows.append(row_for(early[i], "train", f"weak_positive:{label}"))
    return rows


def euvsdisinfo_more(pool: list[dict]) -> tuple[list[dict], list[dict]]:
    """The two later rounds of EUvsDisinfo titles, drawn once the first readings showed that
    two in three reviewed titles differ from their weak labels (so reviewed titles were worth
    more than weak ones): round 2, 20 more weak positives per label and 100 random titles
    (train); round 3, 250 more dev titles from 2020-03/04 and 1,600 random train titles.
    Both exclude every title already chosen."""
    import csv

    from framescope.train.default_data import euvsdisinfo_examples

    have = {r["text"] for r in pool if r["source"] == "euvsdisinfo"}
    ids = {}
    with (REPO / "data/raw/euvsdisinfo/cases_2015-01_2020-06.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            ids.setdefault(" ".join(row["title"].split()), row["id"])

    def row_for(e, split, why):
        return {"id": f"euvs-{ids[e.text]}", "source": "euvsdisinfo", "doc_id": ids[e.text],
                "start": 0, "end": len(e.text), "text": e.text, "context": "", "title": "",
                "split": split, "selected_by": why, "weak_labels": e.labels, "date": e.extra["date"]}

    examples = euvsdisinfo_examples()
    rng = random.Random(2031)
    early = [e for e in examples if e.extra["date"][:7] < "2020-03" and e.text not in have]
    second, chosen = [], set()
    for label in sorted({l for e in early for l in e.labels}):
        positives = sorted([e for e in early if label in e.labels and e.text not in chosen],
                           key=lambda e: e.text)
        for e in rng.sample(positives, min(20, len(positives))):
            chosen.add(e.text)
            second.append(row_for(e, "train", f"weak_positive_extra:{label}"))
    rest = sorted([e for e in early if e.text not in chosen], key=lambda e: e.text)
    second += [row_for(e, "train", "random_title") for e in rng.sample(rest, 100)]

    have |= {r["text"] for r in second}
    rng = random.Random(2032)
    early = sorted([e for e in examples if e.extra["date"][:7] < "2020-03" and e.text not in have],
                   key=lambda e: e.text)
    mid = sorted([e for e in examples if "2020-03" <= e.extra["date"][:7] < "2020-05"
                  and e.text not in have], key=lambda e: e.text)
    third = [row_for(e, "dev", "random_2020_03_04_extra") for e in rng.sample(mid, 250)]
    third += [row_for(e, "train", "random_title") for e in rng.sample(early, 1600)]
    return second, third


def _read_before(round_number: int):
    """What had been read before a round (rows of `data/annotated/` from earlier rounds; rows
    without `round` are rounds 1-3), so a round's choice reproduces after later rounds landed:
    the rows, their ids, and the EUvsDisinfo titles read."""
    pool = [row for name in ("ptc.jsonl", "euvsdisinfo.jsonl")
            for row in map(json.loads, (REPO / "data/annotated" / name).open(encoding="utf-8"))
            if row.get("round", 3) < round_number]
    return pool, {r["id"] for r in pool}, {r["text"] for r in pool if r["source"] == "euvsdisinfo"}


def _unread_titles(have_titles: set[str], months, split: str, why: str) -> list[dict]:
    """EUvsDisinfo titles dated in `months` (a test on "YYYY-MM") that nobody has read yet."""
    import csv

    from framescope.train.default_data import euvsdisinfo_examples

    ids = {}
    with (REPO / "data/raw/euvsdisinfo/cases_2015-01_2020-06.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            ids.setdefault(" ".join(row["title"].split()), row["id"])
    return [{"id": f"euvs-{ids[e.text]}", "source": "euvsdisinfo", "doc_id": ids[e.text],
             "start": 0, "end": len(e.text), "text": e.text, "context": "", "title": "",
             "split": split, "selected_by": why, "weak_labels": e.labels, "date": e.extra["date"]}
            for e in euvsdisinfo_examples()
            if months(e.extra["date"][:7]) and e.text not in have_titles]


def _unread_ptc_train(ptc: Path, pool: list[dict], have: set[str]) -> list[dict]:
    """Every sentence of the PTC train articles not read yet, with its context, in order."""
    from framescope import split_sentences
    from framescope.train.real_text import ptc_articles

    articles = ptc_articles(ptc)
    held_out = {r["doc_id"] for r in pool if r["source"] == "ptc" and r["split"] != "train"}
    read_spans = {(r["doc_id"], r["start"], r["end"]) for r in pool if r["source"] == "ptc"}
    unread = []
    for doc_id in sorted(set(articles) - held_out):
        text = articles[doc_id]
        sentences = split_sentences(text)
        title = text[sentences[0][0]:sentences[0][1]] if sentences else ""
        for n, (a, b) in enumerate(sentences):
            if f"ptc-{doc_id}-{n:04d}" not in have and (doc_id, a, b) not in read_spans:
                unread.append({"id": f"ptc-{doc_id}-{n:04d}", "source": "ptc", "doc_id": doc_id,
                               "start": a, "end": b, "text": text[a:b],
                               "context": text[sentences[n - 1][0]:sentences[n - 1][1]] if n else "",
                               "title": title, "split": "train", "flagged_by_v1": False})
    return unread


def round_four(ptc: Path, model_path: str) -> list[dict]:
    """Round 4 (session 4), drawn once the retrained model (run 3) showed its errors on dev:
    every EUvsDisinfo train title not read yet (so no training title relies on its weak labels
    any more: a third of the random titles read so far differed from them), and from the PTC
    train articles the 900 unread sentences the run-3 model scores highest relative to its
    thresholds (where real positives and hard negatives are) plus 300 drawn at random.
    A model only chooses which sentences are read; readers see no scores."""
    from framescope import load_model, score_sentences

    pool, have, have_titles = _read_before(4)
    rows = _unread_titles(have_titles, lambda month: month < "2020-03", "train",
                          "all_remaining_train_titles")
    unread = _unread_ptc_train(ptc, pool, have)
    model = load_model(model_path)
    scores = score_sentences([r["text"] for r in unread], model)

    def ratio(sentence_scores):
        return max(s.scores[l] / model.thresholds[l] for s in sentence_scores for l in s.scores)

    ranked = sorted(range(len(unread)), key=lambda i: (-ratio(scores[i]), unread[i]["id"]))
    top = set(ranked[:900])
    rest = sorted(set(range(len(unread))) - top)
    drawn = set(random.Random(2041).sample(rest, 300))
    rows += [{**unread[i], "selected_by": "top_scored_by_run3"} for i in sorted(top)]
    rows += [{**unread[i], "selected_by": "random"} for i in sorted(drawn)]
    return rows


def round_five(ptc: Path) -> list[dict]:
    """Round 5 (session 4): everything left that can be read without touching the test months:
    every PTC train-article sentence not read in rounds 1-4 (so the PTC train articles are read
    whole and no sentence there is left out by a model's choice), and every EUvsDisinfo title of
    2020-03/04 not read yet, for **dev** (more dev positives for early stopping and thresholds).
    Titles of 2020-05/06 (the test months) stay unread."""
    pool, have, have_titles = _read_before(5)
    rows = _unread_titles(have_titles, lambda month: "2020-03" <= month < "2020-05", "dev",
                          "all_remaining_2020_03_04_titles")
    return rows + [{**row, "selected_by": "all_remaining_train_sentences"}
                   for row in _unread_ptc_train(ptc, pool, have)]


def write_round(rows: list[dict], out: Path, number: int, first_batch: int, seed: int) -> None:
    """`pool_N.jsonl`, shuffled reading batches of 375 from `batch_<first_batch>` on, and
    `overlap_N.jsonl` (300 sentences of the round for a second reader, blind)."""
    with (out / f"pool_{number}.jsonl").open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")

    def item(row):
        entry = {"id": row["id"], "text": row["text"]}
        if row["context"]:
            entry["previous_sentence"] = row["context"]
        if row["title"] and row["title"] != row["text"]:
            entry["article_title"] = row["title"]
        return entry

    shuffled = list(rows)
    random.Random(seed).shuffle(shuffled)
    size = 375
    for k in range(0, len(shuffled), size):
        with (out / f"batch_{first_batch + k // size:02d}.jsonl").open("w", encoding="utf-8") as f:
            for row in shuffled[k:k + size]:
                f.write(json.dumps(item(row), ensure_ascii=False) + "\n")
    overlap = random.Random(seed + 1).sample(sorted(rows, key=lambda r: r["id"]), 300)
    with (out / f"overlap_{number}.jsonl").open("w", encoding="utf-8") as f:
        for row in overlap:
            f.write(json.dumps(item(row), ensure_ascii=False) + "\n")


def write_batches(rows: list[dict], out: Path, size: int) -> None:
    """Whole test/dev articles stay together in order; everything else is shuffled."""
    whole = defaultdict(list)
    scattered = []
    for row in rows:
        (whole[row["doc_id"]] if row["selected_by"] == "whole_article" else scattered).append(row)
    rng = random.Random(SEED + 3)
    rng.shuffle(scattered)
    batches, current = [], []
    for doc_id in sorted(whole):
        if current and len(current) + len(whole[doc_id]) > size:
            batches.append(current)
            current = []
        current += whole[doc_id]
    if current:
        batches.append(current)
    for i in range(0, len(scattered), size):
        batches.append(scattered[i:i + size])
    for n, batch in enumerate(batches, 1):
        with (out / f"batch_{n:02d}.jsonl").open("w", encoding="utf-8") as f:
            for row in batch:
                item = {"id": row["id"], "text": row["text"]}
                if row["selected_by"] != "whole_article" and row["context"]:
                    item["previous_sentence"] = row["context"]
                if row["selected_by"] != "whole_article" and row["title"] and row["title"] != row["text"]:
                    item["article_title"] = row["title"]
                f.write(json.dumps(item, ensure_ascii=False) + "\n")
    print(f"{len(batches)} batches: {[len(b) for b in batches]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ptc", required=True, type=Path)
    parser.add_argument("--model", default=str(REPO / "models" / "default"))
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--batch-size", type=int, default=350)
    parser.add_argument("--round-four-model", default=None,
                        help="the run-3 default model (commit fe75b27), which chose round 4")
    parser.add_argument("--round-five", action="store_true",
                        help="round 5: every PTC train sentence and 2020-03/04 title still unread")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.round_four_model:
        write_round(round_four(args.ptc, args.round_four_model), args.out, 4, 40, 2042)
        return
    if args.round_five:
        write_round(round_five(args.ptc), args.out, 5, 60, 2052)
        return
    rows = ptc_pool(args.ptc, args.model) + euvsdisinfo_pool()
    second, third = euvsdisinfo_more(rows)
    rows += second + third
    with (args.out / "pool.jsonl").open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(json.dumps(Counter((r["source"], r["split"], r["selected_by"].split(":")[0])
                             for r in rows).most_common(), default=str))
    first = [r for r in rows if r not in second and r not in third]
    write_batches(first, args.out, args.batch_size)
    # Later rounds were read as their own batches (titles only, shuffled).
    for number, extra in ((27, second), (None, third)):
        rng = random.Random(2031 if number else 2032)
        extra = list(extra)
        rng.shuffle(extra)
        parts = [extra] if number else [extra[k:k + 370] for k in range(0, len(extra), 370)]
        for k, part in enumerate(parts):
            with (args.out / f"batch_{(number or 28 + k):02d}.jsonl").open("w", encoding="utf-8") as f:
                for row in part:
                    f.write(json.dumps({"id": row["id"], "text": row["text"]}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
