"""`framescope report`: how often each framing occurs across a scored corpus, over time and
by source, as PNG/SVG plots, CSV tables and a short Markdown summary; with `--reviewed`, how
far those counts can be trusted on this corpus (precision of flags, recall: `count_check`).

Shares are per document (a document "has" a framing if it has at least one span of it) and per
sentence-span (spans of a label / all documents' spans). Records with an `error` are counted
and reported, never silently dropped.

Dates are parsed one value at a time, so a corpus that mixes formats and UTC offsets is read
whole: ISO 8601 and other common forms, with or without an offset, are normalised to UTC (a
date without an offset is taken as UTC); integers (and numeric strings of 9 to 13 digits) are
Unix epoch seconds, or milliseconds when too large for seconds. Values that cannot be parsed,
and documents without a date, are counted in the summary, never silently dropped. A source
may be a string ("A+B" counts for A and for B) or a list (each member counts). CSV cells
that begin with `= + - @` (or a tab or carriage return) are prefixed with `'`, so that a
spreadsheet shows them as text instead of running them as formulas.
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path

__all__ = ["report_command", "corpus_tables"]

NO_SOURCE = "(no source)"


def _load(path: Path):
    """The scored records as a DataFrame, values as written (no type guessing: pandas'
    read_json would turn epoch integers in a `date` column into 1970)."""
    import pandas as pd

    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        return pd.DataFrame(pq.read_table(path).to_pylist())
    records = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except ValueError as error:
                    raise ValueError(f"{path}:{number}: not a JSON line ({error})") from None
    return pd.DataFrame(records)


_EPOCH_TEXT = re.compile(r"[+-]?\d{9,13}(\.\d+)?")


def _parse_date(value):
    """One date value as a UTC `Timestamp`; None if missing, "unparseable" if not a date."""
    import pandas as pd

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        if _EPOCH_TEXT.fullmatch(value):
            value = float(value)
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            unit = "ms" if abs(value) >= 1e11 else "s"  # 1e11 s is the year 5138
            return pd.Timestamp(value, unit=unit, tz="UTC")
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError, pd.errors.OutOfBoundsDatetime):
        return "unparseable"
    if stamp is pd.NaT:
        return "unparseable"
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def parse_dates(values) -> tuple:
    """`values` as naive UTC timestamps (NaT where missing or unparseable), and the counts of
    missing and unparseable values. Each value is parsed on its own: one format or offset in a
    column never decides how the others are read."""
    import pandas as pd

    parsed = [_parse_date(v) for v in values]
    missing = sum(p is None for p in parsed)
    unparseable = sum(isinstance(p, str) for p in parsed)
    stamps = [p.tz_localize(None) if isinstance(p, pd.Timestamp) else pd.NaT for p in parsed]
    return pd.Series(pd.to_datetime(stamps), index=getattr(values, "index", None)), missing, unparseable


def _sources(value) -> list[str]:
    """The sources of one document: list members, or "A+B" split on "+"; NO_SOURCE if none.
    A list that Parquet output wrote as JSON text (`["RT", "TASS"]`) counts per member too."""
    if isinstance(value, str) and value.startswith("["):
        try:
            decoded = json.loads(value)
        except ValueError:
            decoded = None
        if isinstance(decoded, list):
            value = decoded
    if isinstance(value, (list, tuple)):
        members = [str(v).strip() for v in value if v is not None]
    elif value is None or (isinstance(value, float) and math.isnan(value)):
        members = []
    else:
        members = [part.strip() for part in str(value).split("+")]
    members = [m for m in members if m]
    return members or [NO_SOURCE]


def csv_safe(frame):
    """A copy of `frame` whose text cells (and index) cannot run as spreadsheet formulas."""
    def cell(value):
        if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
            return "'" + value
        return value

    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or str(safe[column].dtype).startswith(("str", "string")):
            safe[column] = safe[column].map(cell)
    safe.index = safe.index.map(cell)
    return safe


def corpus_tables(frame, labels: list[str], date_field: str | None, source_field: str | None,
                  period: str = "month") -> dict:
    """Plain pandas tables: overall shares, shares by period and by source."""
    import pandas as pd

    has_error = frame["error"].notna() if "error" in frame else pd.Series(False, index=frame.index)
    scored = frame[~has_error].copy()
    scored["spans"] = scored["spans"].map(lambda spans: spans if isinstance(spans, list) else [])
    for label in labels:
        scored[label] = scored["spans"].apply(lambda spans, l=label: sum(s["label"] == l for s in spans))
    total_spans = scored[labels].to_numpy().sum()
    overall = pd.DataFrame({
        "label": labels,
        "documents": [int((scored[l] > 0).sum()) for l in labels],
        "document_share": [round(float((scored[l] > 0).mean()) if len(scored) else 0.0, 4)
                           for l in labels],
        "spans": [int(scored[l].sum()) for l in labels],
        "span_share": [round(float(scored[l].sum() / total_spans) if total_spans else 0.0, 4)
                       for l in labels],
    })
    tables = {"overall": overall, "errors": int(has_error.sum()), "scored": int(len(scored))}
    if date_field and date_field in scored:
        dates, missing, unparseable = parse_dates(scored[date_field])
        tables["dates_missing"], tables["dates_unparseable"] = missing, unparseable
        freq = "W-SUN" if period == "week" else "M"  # weeks Monday to Sunday (ending Sunday)
        scored["_period"] = dates.dt.to_period(freq).astype(str)
        valid = scored[dates.notna()]
        tables["by_period"] = (valid.groupby("_period")[labels]
                               .agg(lambda c: round(float((c > 0).mean()), 4)))
        tables["by_period"].insert(0, "documents", valid.groupby("_period").size())
        tables["by_period"].index.name = period
    if source_field and source_field in scored:
        sources = scored[source_field].map(_sources).explode()
        exploded = scored.loc[sources.index].assign(_source=sources.values)
        grouped = exploded.groupby("_source")
        by_source = grouped[labels].agg(lambda c: round(float((c > 0).mean()), 4))
        by_source.insert(0, "documents", grouped.size())
        by_source.index.name = source_field
        tables["by_source"] = by_source.sort_values("documents", ascending=False)
    tables["examples"] = {
        label: sorted(((s["score"], " ".join(s["text"].split()), rid)
                       for rid, spans in zip(scored["id"], scored["spans"])
                       for s in spans if s["label"] == label), reverse=True)[:3]
        for label in labels
    }
    return tables


def _plots(tables: dict, labels: list[str], out: Path, min_period_documents: int = 1) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    overall = tables["overall"].sort_values("document_share")
    fig, ax = plt.subplots(figsize=(7, 5))
    ax.barh(overall["label"], overall["document_share"] * 100, color="#4363d8")
    ax.set_xlabel("% of documents with at least one span")
    ax.set_title("Framings across the corpus")
    fig.tight_layout()
    for ext in ("png", "svg"):
        fig.savefig(out / f"overall.{ext}", dpi=120)
    written.append("overall.png")
    plt.close(fig)

    if "by_period" in tables and len(tables["by_period"]) > 1:
        # A month with two documents gives shares of 0 or 50 %: such periods are drawn as gaps
        # (their numbers stay in by_period.csv), and the lower panel shows how many documents
        # each point rests on.
        table = tables["by_period"]
        thin = table["documents"] < min_period_documents
        top = tables["overall"].sort_values("documents", ascending=False)["label"][:6].tolist()
        fig, (ax, counts) = plt.subplots(2, 1, figsize=(10, 6), sharex=True,
                                         gridspec_kw={"height_ratios": [3, 1]})
        positions = range(len(table))
        for label in top:
            ax.plot(positions, (table[label] * 100).mask(thin), label=label, linewidth=1.5)
        counts.bar(positions, table["documents"], color=["#bbbbbb" if t else "#4363d8" for t in thin])
        counts.set_ylabel("documents")
        ticks = list(range(0, len(table), max(1, len(table) // 12)))
        counts.set_xticks(ticks, [table.index[i] for i in ticks], rotation=45, ha="right")
        ax.set_ylabel("% of documents")
        title = "Six most frequent framings over time"
        if thin.any():
            title += f" (periods with fewer than {min_period_documents} documents left out)"
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=8, ncol=2)
        fig.tight_layout()
        for ext in ("png", "svg"):
            fig.savefig(out / f"trend.{ext}", dpi=120)
        written.append("trend.png")
        plt.close(fig)

    if "by_source" in tables:
        table = tables["by_source"].head(12)
        fig, ax = plt.subplots(figsize=(10, 6))
        image = ax.imshow(table[labels].to_numpy() * 100, aspect="auto", cmap="Blues")
        ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=8)
        ax.set_yticks(range(len(table)), [s[:30] for s in table.index], fontsize=8)
        ax.set_title("% of documents per framing, twelve largest sources")
        fig.colorbar(image, ax=ax)
        fig.tight_layout()
        for ext in ("png", "svg"):
            fig.savefig(out / f"by_source.{ext}", dpi=120)
        written.append("by_source.png")
        plt.close(fig)
    return written


def _date_note(tables: dict, date_field: str) -> list[str]:
    """A line on documents left out of the trend for want of a usable date, if any."""
    missing, unparseable = tables.get("dates_missing", 0), tables.get("dates_unparseable", 0)
    if not (missing or unparseable):
        return []
    return [f"Left out of the trend: {unparseable} documents whose `{date_field}` could not be "
            f"parsed as a date, {missing} without one."]


def _checked_counts(frame, reviewed_path: str, labels: list[str], overall):
    from .count_check import check_counts
    from .review_page import read_review_file

    spans = dict(zip(overall["label"], overall["spans"]))
    return check_counts(frame, read_review_file(reviewed_path), labels, spans)


def _checked_lines(checked, notes: list[str], name: str) -> list[str]:
    """The summary's section on how far the counts can be trusted (framescope.count_check)."""
    def share(value, low, high):
        return "-" if value is None or value != value else f"{value:.2f} ({low:.2f}-{high:.2f})"

    lines = ["## How far the counts can be trusted", "",
             f"Measured on reviewed sentences of this corpus ({name}); 95% Wilson intervals. "
             + " ".join(notes), "",
             "| label | spans | reviewed flags | right | precision of flags | right spans, estimated "
             "| framed in the random draw | of them flagged (recall) |",
             "|---|---:|---:|---:|---|---|---:|---|"]
    for row in checked.itertuples():
        estimate = ("-" if row.reviewed_flags == 0 else
                    f"{row.right_spans:.0f} ({row.right_spans_low:.0f}-{row.right_spans_high:.0f})")
        lines.append(f"| {row.label} | {row.spans} | {row.reviewed_flags} | {row.right} | "
                     f"{share(row.precision, row.precision_low, row.precision_high)} | {estimate} | "
                     f"{row.random_framed} | {share(row.recall, row.recall_low, row.recall_high)} |")
    return lines + [""]


def report_command(args) -> int:
    import pandas as pd

    from framescope.inference.guards import check_options

    check_options(args)
    scored = Path(args.scored)
    if not scored.is_file():
        raise FileNotFoundError(f"{scored}: no such file")
    frame = _load(scored)
    if frame.empty:  # what `predict` writes for an empty input: an empty report, not an error
        frame = pd.DataFrame({"id": [], "spans": [], "summary": [], "error": []})
    if "spans" not in frame:
        raise ValueError(f"{scored}: not a scored file (no 'spans'); run `framescope predict` first")
    labels = sorted({s["label"] for spans in frame["spans"] if isinstance(spans, list) for s in spans})
    summaries = [s for s in frame.get("summary", []) if isinstance(s, dict)]
    if summaries:
        labels = list(summaries[0])  # the model's own label order, including unseen labels
    for option, name in (("--date-field", args.date_field), ("--source-field", args.source_field)):
        if name and len(frame) and name not in frame:  # a typo would just drop a table
            fields = ", ".join(c for c in frame.columns if c not in ("spans", "summary", "error"))
            print(f"note: no field {name!r} in {scored.name} ({option}), so no table by it; "
                  f"fields found: {fields}", file=sys.stderr)
    tables = corpus_tables(frame, labels, args.date_field, args.source_field, args.period)
    checked = None
    if getattr(args, "reviewed", None):  # checked before anything is written
        checked, notes = _checked_counts(frame, args.reviewed, labels, tables["overall"])
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    csv_safe(tables["overall"]).to_csv(out / "overall.csv", index=False)
    for name in ("by_period", "by_source"):
        if name in tables:
            csv_safe(tables[name]).to_csv(out / f"{name}.csv")
    plots = _plots(tables, labels, out, args.min_period_documents)
    lines = [f"# Framing report: {scored.name}", "",
             f"{tables['scored']} documents scored, {tables['errors']} could not be scored.",
             *_date_note(tables, args.date_field), "",
             *[f"![{p}]({p})" for p in plots], "",
             "| label | documents | % documents | spans |", "|---|---:|---:|---:|"]
    for row in tables["overall"].sort_values("documents", ascending=False).itertuples():
        lines.append(f"| {row.label} | {row.documents} | {100 * row.document_share:.1f} | {row.spans} |")
    lines += ["", "## Top example sentences per label", ""]
    for label, examples in tables["examples"].items():
        if examples:
            lines.append(f"**{label}**")
            lines += [f"- {score:.2f} ({rid}): {text}" for score, text, rid in examples]
            lines.append("")
    if checked is not None:
        checked.to_csv(out / "reviewed_check.csv", index=False)
        lines += _checked_lines(checked, notes, Path(args.reviewed).name)
    (out / "summary.md").write_text("\n".join(lines) + "\n", "utf-8")
    (out / "summary.json").write_text(json.dumps(
        {"scored": tables["scored"], "errors": tables["errors"],
         **{key: tables[key] for key in ("dates_missing", "dates_unparseable") if key in tables},
         "overall": tables["overall"].to_dict(orient="records"),
         **({"reviewed_check": checked.astype(object).where(checked.notna(), None)
             .to_dict(orient="records")} if checked is not None else {})},
        indent=2) + "\n", "utf-8")
    print(f"wrote {out}/summary.md, {len(plots)} plots and CSV tables", file=sys.stderr)
    return 0
