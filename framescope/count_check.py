"""How far a report's counts can be trusted, measured on reviewed sentences of the same corpus.

    framescope report scored.jsonl -o report/ --reviewed review.reviewed.jsonl

A count of flags is only as good as the flags under it: the default model's flags were right
less than half the time on the PTC test articles (news prose), three times in four on
disinformation-case titles. So a report that publishes counts should say, per label, how many
of its flags a reader would keep, and how many framed sentences it misses. `framescope sample`
draws the sentences, a person reviews them, and this module turns the decisions into:

* **precision of flags**: among reviewed sentences that the scored file flags with a label, the
  share a reader gave that label, with a Wilson 95% interval (scipy);
* **right flags, estimated**: the corpus's spans of that label x the precision (and x each bound);
* **recall**: among sentences drawn at random that a reader gave the label, the share flagged.
  Only the random draw shows what the model misses.

Only rows drawn without the model's say count: `why` holds "random" (a uniform draw over the
corpus's unreviewed sentences) or "flagged" (a uniform draw over flagged ones). Rows chosen only
as disagreements or as near a threshold are left out; they over-represent the model's mistakes.

The flags are the scored file's own (the spans at each row's document and offsets), so the
figures describe exactly the counts in the report. A reviewed row whose document or text is not
in the scored file is an error naming the row: it was drawn from another corpus. A row whose
sampler flags (`suggested`, or `sampled_flags` in a `--blind` sample, which the reader is not
shown) differ from the scored file's flags was sampled with another model or thresholds
(`predict --threshold`), so the flagged draw may not be uniform over these flags: a warning.
With `sample --labels`, sentences already labelled are not drawn: the figures describe the rest.
"""

from __future__ import annotations

__all__ = ["check_counts", "UNBIASED_POOLS"]

UNBIASED_POOLS = ("random", "flagged")


def _interval(successes: int, trials: int) -> tuple[float | None, float | None, float | None]:
    """Share and Wilson 95% interval; None where nothing was measured."""
    if trials == 0:
        return None, None, None
    from scipy.stats import binomtest

    ci = binomtest(successes, trials).proportion_ci(confidence_level=0.95, method="wilson")
    return successes / trials, float(ci.low), float(ci.high)


def _flags_by_sentence(frame) -> tuple[dict, dict, set]:
    """`{doc_id: text}`, `{(doc_id, start, end): {labels}}` and the ids used more than once,
    from a scored DataFrame."""
    texts, flags, repeated = {}, {}, set()
    for record in frame.to_dict(orient="records"):
        doc_id = str(record.get("id"))
        if isinstance(record.get("error"), str):
            continue
        if doc_id in texts:
            repeated.add(doc_id)
        texts[doc_id] = record.get("text")
        for span in record.get("spans") if isinstance(record.get("spans"), list) else []:
            flags.setdefault((doc_id, span["start"], span["end"]), set()).add(span["label"])
    return texts, flags, repeated


def check_counts(frame, reviewed: list[dict], labels: list[str], spans: dict[str, int]):
    """Per-label precision of flags, estimated right flags and recall (module docstring).

    `frame` is the scored file as `report` loads it, `reviewed` the rows of a review file,
    `spans` the corpus's span count per label. Returns `(table, notes)`: a DataFrame with one
    row per label and a list of plain-language notes (rows used and left out, warnings).
    """
    import pandas as pd

    texts, flags, repeated = _flags_by_sentence(frame)
    used, pending, other_pools, mismatched, unchecked = [], 0, 0, [], 0
    for number, row in enumerate(reviewed, 1):
        where = f"reviewed row {number} (id {row.get('id')!r})"
        if row.get("status") == "pending" or not isinstance(row.get("labels"), list):
            pending += 1
            continue
        why = row.get("why") if isinstance(row.get("why"), list) else []
        if not set(UNBIASED_POOLS) & set(why):
            other_pools += 1
            continue
        if not {"doc_id", "start", "end"} <= row.keys():
            raise ValueError(f"{where}: needs doc_id, start and end (a row of `framescope sample`)")
        doc_id = str(row["doc_id"])
        if doc_id not in texts:
            raise ValueError(f"{where}: document {doc_id!r} is not among the scored file's "
                             "records; sample from the same scored file")
        if doc_id in repeated:
            raise ValueError(f"{where}: document id {doc_id!r} is used by several records of "
                             "the scored file, so its flags cannot be told apart")
        text = texts[doc_id]
        if isinstance(text, str) and text[row["start"]:row["end"]] != row.get("text"):
            raise ValueError(f"{where}: its text is not at offsets {row['start']}-{row['end']} "
                             f"of document {doc_id!r} in the scored file")
        unknown = sorted(set(row["labels"]) - set(labels))
        if unknown:
            raise ValueError(f"{where}: labels {unknown} are not the model's")
        flagged = flags.get((doc_id, row["start"], row["end"]), set())
        sampled = row.get("suggested", row.get("sampled_flags"))  # the sampler's flags
        if sampled is None:
            unchecked += 1
        elif set(sampled) != flagged:
            mismatched.append(str(row.get("id")))
        used.append((set(row["labels"]), flagged, "random" in why))
    if not used:
        raise ValueError("no reviewed row drawn at random or from the flagged sentences: review "
                         "a sample from `framescope sample` first")

    table = []
    for label in labels:
        judged = [label in given for given, flagged, _ in used if label in flagged]
        framed = [label in flagged for given, flagged, drawn in used if drawn and label in given]
        precision, p_low, p_high = _interval(sum(judged), len(judged))
        recall, r_low, r_high = _interval(sum(framed), len(framed))
        count = spans.get(label, 0)
        table.append({
            "label": label, "spans": count, "reviewed_flags": len(judged), "right": sum(judged),
            "precision": precision, "precision_low": p_low, "precision_high": p_high,
            "right_spans": None if precision is None else round(count * precision),
            "right_spans_low": None if p_low is None else round(count * p_low),
            "right_spans_high": None if p_high is None else round(count * p_high),
            "random_framed": len(framed), "random_framed_flagged": sum(framed),
            "recall": recall, "recall_low": r_low, "recall_high": r_high,
        })
    notes = [f"{len(used)} reviewed sentences used ({sum(d for _, _, d in used)} drawn at "
             f"random); {pending} still pending and {other_pools} chosen only as disagreements "
             "or near a threshold were left out."]
    if unchecked:
        notes.append(f"warning: {unchecked} rows do not say which labels the sampler flagged, so "
                     "whether they were drawn from these flags cannot be checked")
    if mismatched:
        notes.append(f"warning: {len(mismatched)} rows were suggested other labels than the "
                     f"scored file flags (first: {mismatched[0]}): the sample was drawn with "
                     "another model or thresholds, so its flagged draw may not be uniform over "
                     "these flags")
    return pd.DataFrame(table), notes
