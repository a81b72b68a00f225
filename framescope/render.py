"""`framescope render`: one self-contained HTML page with framing spans highlighted.

No CDN, no external file: the page is HTML + inline CSS + a few lines of inline JavaScript, so it
opens offline and can be mailed as is. Each sentence with spans becomes one `<mark>` (a sentence
can carry several framings) coloured by its highest-scoring label; hovering shows every label,
score and definition. Controls filter by label and minimum score. Documents are paged (25 per
page) and capped at `--max-documents` with a notice, so a large corpus never freezes a browser.
"""

from __future__ import annotations

import html
import json
import math
import sys
from pathlib import Path

__all__ = ["render_html", "render_command"]

PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6",
           "#9a6324", "#469990", "#808000", "#800000", "#000075", "#bfef45", "#fabed4",
           "#dcbeff", "#ffd8b1", "#aaffc3", "#a9a9a9"]
PAGE_SIZE = 25


def _colours(labels: list[str]) -> dict[str, str]:
    return {label: PALETTE[i % len(PALETTE)] for i, label in enumerate(labels)}


def _score(value) -> float | None:
    """A span's score as a finite float; None for anything else (a hand-edited or foreign file
    may hold "high", null or NaN: shown as "?", never a crash)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _usable_spans(doc: dict, text: str) -> list[dict]:
    """The document's spans with integer offsets inside `text` and a label; scores as floats
    or None. Anything else in a scored file is skipped rather than allowed to break the page."""
    spans = doc.get("spans")
    usable = []
    for span in spans if isinstance(spans, list) else []:
        if not isinstance(span, dict):
            continue
        start, end = span.get("start"), span.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            continue
        usable.append({**span, "label": str(span.get("label")), "score": _score(span.get("score"))})
    return usable


def _document_html(doc: dict, colours: dict[str, str], definitions: dict[str, str]) -> str:
    text = doc.get("text") if isinstance(doc.get("text"), str) else ""
    if doc.get("error"):
        return (f'<article class="doc"><h2>{html.escape(str(doc.get("id")))}</h2>'
                f'<p class="error">Not scored: {html.escape(str(doc["error"]))}</p></article>')
    by_sentence: dict[tuple[int, int], list[dict]] = {}
    for span in _usable_spans(doc, text):
        by_sentence.setdefault((span["start"], span["end"]), []).append(span)
    parts, position = [], 0
    for (start, end), spans in sorted(by_sentence.items()):
        if start < position:  # overlapping sentences cannot happen; stay safe anyway
            continue
        spans.sort(key=lambda s: -(s["score"] or 0.0))
        top = spans[0]["label"]
        data = json.dumps([[s["label"], round(s["score"] or 0.0, 3)] for s in spans])
        tip = "\n".join(f"{s['label']} {_shown(s['score'])}: {definitions.get(s['label'], '')}"
                        for s in spans)
        parts.append(html.escape(text[position:start]))
        parts.append(
            f'<mark class="span" style="--c:{colours.get(top, "#999")}" data-labels=\'{html.escape(data)}\' '
            f'data-start="{start}" data-end="{end}" title="{html.escape(tip)}">'
            f'{html.escape(text[start:end])}<sup>{html.escape(top)}</sup></mark>'
        )
        position = end
    parts.append(html.escape(text[position:]))
    return (f'<article class="doc"><h2>{html.escape(str(doc.get("id")))}</h2>'
            f'<div class="text">{"".join(parts)}</div></article>')


def _shown(score: float | None) -> str:
    return "?" if score is None else f"{score:.2f}"


def render_html(documents: list[dict], labels: list[str], definitions: dict[str, str],
                total: int | None = None, title: str = "framescope") -> str:
    """The page for already scored documents (records as `framescope predict` writes them)."""
    colours = _colours(labels)
    legend = "".join(
        f'<label title="{html.escape(definitions.get(l, ""))}"><input type="checkbox" '
        f'class="label-filter" value="{html.escape(l)}" checked> '
        f'<span class="swatch" style="background:{colours[l]}"></span>{html.escape(l)}</label>'
        for l in labels
    )
    notice = ""
    if total is not None and total > len(documents):
        notice = (f'<p class="notice">Showing the first {len(documents)} of {total} documents; '
                  f'use --max-documents to show more.</p>')
    docs = "\n".join(
        f'<section class="page" data-page="{i // PAGE_SIZE}"'
        f'{" hidden" if i >= PAGE_SIZE else ""}>{_document_html(d, colours, definitions)}</section>'
        for i, d in enumerate(documents)
    )
    pages = max(1, -(-len(documents) // PAGE_SIZE))
    return _TEMPLATE.format(title=html.escape(title), legend=legend, notice=notice, docs=docs,
                            pages=pages, count=len(documents))


_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font: 15px/1.55 system-ui, sans-serif; margin: 0; color: #222; }}
header {{ position: sticky; top: 0; background: #fafafa; border-bottom: 1px solid #ddd;
  padding: 8px 16px; z-index: 1; }}
header label {{ margin-right: 10px; white-space: nowrap; font-size: 13px; }}
.swatch {{ display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 3px; }}
main {{ max-width: 860px; margin: 0 auto; padding: 8px 16px 40px; }}
.doc {{ border-bottom: 1px solid #eee; padding: 8px 0; }}
.doc h2 {{ font-size: 14px; color: #666; margin: 8px 0; }}
.text {{ white-space: pre-wrap; }}
mark.span {{ background: color-mix(in srgb, var(--c) 22%, white); border-bottom: 2px solid var(--c);
  padding: 0 1px; }}
mark.span sup {{ font-size: 10px; color: var(--c); margin-left: 2px; }}
mark.span.off {{ background: none; border-bottom: none; }}
mark.span.off sup {{ display: none; }}
.error {{ color: #a00; }}
.notice {{ background: #fff3cd; padding: 6px 10px; }}
</style></head>
<body>
<header>
  <div id="legend">{legend}</div>
  <div>Minimum score <input id="min-score" type="range" min="0" max="1" step="0.01" value="0">
  <output id="min-score-value">0.00</output>
  &nbsp; Page <button id="prev">&lsaquo;</button> <span id="page-no">1</span> / {pages}
  <button id="next">&rsaquo;</button> &nbsp; {count} documents</div>
</header>
<main>{notice}
{docs}
</main>
<script>
(function () {{
  var page = 0, pages = {pages};
  function apply() {{
    var on = {{}};
    document.querySelectorAll('.label-filter').forEach(function (box) {{ on[box.value] = box.checked; }});
    var min = parseFloat(document.getElementById('min-score').value);
    document.getElementById('min-score-value').textContent = min.toFixed(2);
    document.querySelectorAll('mark.span').forEach(function (mark) {{
      var visible = JSON.parse(mark.dataset.labels).filter(function (p) {{ return on[p[0]] && p[1] >= min; }});
      mark.classList.toggle('off', visible.length === 0);
      if (visible.length) {{
        mark.querySelector('sup').textContent = visible[0][0];
        var box = document.querySelector('.label-filter[value="' + visible[0][0] + '"]');
        mark.style.setProperty('--c', box.nextElementSibling.style.background);
      }}
    }});
  }}
  function show(n) {{
    page = Math.max(0, Math.min(pages - 1, n));
    document.querySelectorAll('section.page').forEach(function (s) {{ s.hidden = +s.dataset.page !== page; }});
    document.getElementById('page-no').textContent = page + 1;
  }}
  document.querySelectorAll('.label-filter').forEach(function (box) {{ box.addEventListener('change', apply); }});
  document.getElementById('min-score').addEventListener('input', apply);
  document.getElementById('prev').addEventListener('click', function () {{ show(page - 1); }});
  document.getElementById('next').addEventListener('click', function () {{ show(page + 1); }});
  apply();
}})();
</script>
</body></html>
"""


def _is_scored(path: Path) -> bool:
    """A file `framescope predict` wrote: records carry `spans` and `summary`."""
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        return {"spans", "summary"} <= set(pq.ParquetFile(path).schema_arrow.names)
    if path.suffix.lower() != ".jsonl":
        return False
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.strip():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    return False
                return isinstance(record, dict) and "spans" in record and "summary" in record
    return False


def _apply_threshold(documents: list[dict], threshold, labels: list[str]) -> None:
    """Keep the spans of a scored file that reach `threshold` (a number or {label: number}).
    A scored file holds only the spans that reached the thresholds it was scored with, so a
    lower cut-off here cannot bring back sentences below those; re-score for that."""
    from framescope.inference.predict import check_threshold_labels

    if isinstance(threshold, dict):
        check_threshold_labels(threshold, labels)
    cuts = threshold if isinstance(threshold, dict) else dict.fromkeys(labels, threshold)
    for doc in documents:
        doc["spans"] = [s for s in doc.get("spans") or [] if isinstance(s, dict)
                        and (_score(s.get("score")) or 0.0) >= cuts.get(s.get("label"), 0.0)]


def scored_text_field(documents: list[dict], default: str) -> str:
    """The field a scored file's spans point into: the one whose text holds every span at its
    offsets (so `render` needs no `--text-field` for a file scored with one)."""
    for doc in documents:
        spans = doc.get("spans") if isinstance(doc.get("spans"), list) else []
        if not spans:
            continue
        for field, value in doc.items():
            if isinstance(value, str) and all(
                    isinstance(s, dict) and isinstance(s.get("start"), int)
                    and isinstance(s.get("end"), int) and value[s["start"]:s["end"]] == s.get("text")
                    for s in spans):
                return field
    return default


def _check_labels(documents: list[dict], names: list[str], model_dir: Path) -> None:
    """A scored file's spans must carry the labels of the taxonomy the page is drawn with;
    others would be drawn switched off, without a word."""
    found = {s.get("label") for doc in documents if isinstance(doc.get("spans"), list)
             for s in doc["spans"] if isinstance(s, dict)}
    unknown = sorted(str(l) for l in found - set(names))
    if unknown:
        raise ValueError(f"the scored file has label(s) {', '.join(unknown)}, not in "
                         f"{model_dir / 'taxonomy.yaml'}: give --model the model that scored it")


def _read_scored(path: Path, limit: int) -> tuple[list[dict], int]:
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        return table.slice(0, limit).to_pylist(), table.num_rows
    documents, total = [], 0
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                total += 1
                if len(documents) < limit:
                    documents.append(json.loads(line))
    return documents, total


def render_command(args) -> int:
    from framescope.inference.batch import expand_inputs, read_records, score_records
    from framescope.inference.guards import check_options
    from framescope.inference.predict import DEFAULT_MODEL, load_model, thresholds_array
    from framescope.inference.taxonomy import Taxonomy

    from .outputs import check_output_folder

    check_options(args)
    check_output_folder(args.output)
    files = expand_inputs(args.inputs)
    if len(files) == 1 and _is_scored(files[0]):
        documents, total = _read_scored(files[0], args.max_documents)
        model_dir = Path(args.model or DEFAULT_MODEL)
        taxonomy = Taxonomy.load(model_dir / "taxonomy.yaml")
        _check_labels(documents, taxonomy.names, model_dir)
        if args.threshold is not None:
            _apply_threshold(documents, args.threshold, taxonomy.names)
    else:
        from framescope.inference.batch import check_text_field

        check_text_field(files, args.text_field)  # before the model loads: "(--text-field body?)"
        model = load_model(args.model or DEFAULT_MODEL)
        taxonomy = model.taxonomy
        records = []
        total = 0
        for record in read_records(files, args.text_field):
            total += 1
            if len(records) < args.max_documents:
                records.append(record)
        documents = list(score_records(records, model, thresholds_array(model, args.threshold),
                                       64, args.text_field, args.id_field))
    field = scored_text_field(documents, args.text_field)
    for doc in documents:
        doc["text"] = doc.get(field) if isinstance(doc.get(field), str) else doc.get("text")
    definitions = {l.name: l.definition for l in taxonomy.labels}
    page = render_html(documents, taxonomy.names, definitions, total,
                       title=f"framescope: {', '.join(Path(i).name for i in args.inputs)}")
    output = Path(args.output)
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_text(page, "utf-8", errors="replace")  # a lone surrogate from "\ud800" in JSON
    tmp.replace(output)
    print(f"wrote {output} ({len(documents)} of {total} documents)", file=sys.stderr)
    return 0
