"""`framescope review`: an offline HTML page on which a person labels a review file.

    framescope review review.jsonl -o review.html [--reviewer NAME]

One self-contained page (no CDN, no server): each sentence with its previous sentence for
context, one toggle per label (definition on hover), and three verbs - **accept** the labels as
shown, **clear** them (no framing), or toggle labels (a toggle decides the row too; accept
then moves on). Labels start from the row's
`existing` labels, else the model's `suggested` ones (absent from a `--blind` sample), else none.
Keyboard: `j`/`k` next/previous, `a` accept, `c` clear, `1`-`9` toggle the first labels.

Work is kept in the browser's local storage as the reader goes; **Save** downloads the review
file as JSON lines with `labels`, `status: "reviewed"`, `reviewer` and `reviewed_at` on every
row the reader decided (rows left alone stay `pending`), ready for `framescope train`.
**Save** is the record: local storage only spares a reader lost work on a reload, and Chromium
does not always keep it for pages opened from disk (file://) when the machine is busy.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

__all__ = ["review_html", "read_review_file", "review_command"]


def json_lines(path: str | Path):
    """`(line number, value)` for each non-blank line; bad JSON raises naming file and line."""
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as error:
                    raise ValueError(f"{path}:line {number}: not valid JSON ({error.msg})") from None


def read_review_file(path: str | Path) -> list[dict]:
    """Rows of a review file; each needs `id` and `text` (the file `framescope sample` writes)."""
    rows = []
    for number, row in json_lines(path):
        if not isinstance(row, dict) or not isinstance(row.get("text"), str) or "id" not in row:
            raise ValueError(f"{path}:line {number}: a review row needs 'id' and 'text'")
        rows.append(row)
    if not rows:
        raise ValueError(f"{path}: no rows to review")
    return rows


def _script_json(value) -> str:
    """JSON that is safe inside <script>: no '</script>' or '<!--' can close or open anything."""
    return (json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def review_html(rows: list[dict], labels: list[str], definitions: dict[str, str],
                reviewer: str = "", file_name: str = "review.jsonl") -> str:
    key = hashlib.sha1(json.dumps([r["id"] for r in rows]).encode()).hexdigest()[:16]
    data = {"rows": rows, "labels": labels, "definitions": definitions, "reviewer": reviewer,
            "storageKey": f"framescope-review-{key}", "fileName": file_name}
    return _PAGE.replace("__DATA__", _script_json(data))


def taxonomy_path(args) -> Path:
    """`--taxonomy`, else the taxonomy of `--model` (default: the shipped model)."""
    from framescope.resources import DEFAULT_MODEL

    return Path(args.taxonomy or Path(args.model or DEFAULT_MODEL) / "taxonomy.yaml")


def review_command(args) -> int:
    import sys

    from framescope.inference.taxonomy import Taxonomy

    from .outputs import check_output_folder, write_atomically

    output = check_output_folder(args.output)
    rows = read_review_file(args.review_file)
    taxonomy = Taxonomy.load(taxonomy_path(args))
    unknown = sorted({l for r in rows for key in ("labels", "existing", "suggested")
                      for l in (r.get(key) or []) if l not in taxonomy.names})
    if unknown:
        raise ValueError(f"{args.review_file}: label(s) {', '.join(unknown)} are not in "
                         f"{taxonomy_path(args)} (valid: {', '.join(taxonomy.names)})")
    page = review_html(rows, taxonomy.names,
                       {l.name: l.definition for l in taxonomy.labels}, args.reviewer or "",
                       Path(args.review_file).stem + ".reviewed.jsonl")
    write_atomically(output, page)
    print(f"{len(rows)} sentences; open {output} in a browser", file=sys.stderr)
    return 0


_PAGE = r"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>framescope review</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #222; background: #f6f6f4; }
header { position: sticky; top: 0; background: #fff; border-bottom: 1px solid #ccc;
         padding: .6em 1em; display: flex; gap: 1em; align-items: center; flex-wrap: wrap; z-index: 1; }
main { max-width: 60em; margin: 1em auto; padding: 0 1em; }
.row { background: #fff; border: 1px solid #ddd; border-left: 6px solid #bbb; border-radius: 4px;
       margin: 0 0 1em; padding: .8em 1em; }
.row.current { outline: 2px solid #4363d8; }
.row.reviewed { border-left-color: #3cb44b; }
.row.hidden { display: none; }
.context { color: #777; font-size: .9em; }
.text { font-size: 1.1em; margin: .3em 0 .6em; }
.meta { color: #777; font-size: .8em; }
.chip { border: 1px solid #999; border-radius: 1em; padding: .1em .7em; margin: .15em; background: #fff;
        cursor: pointer; font-size: .85em; }
.chip.on { background: #4363d8; color: #fff; border-color: #4363d8; }
.verbs button { margin-right: .5em; }
.status { font-weight: bold; }
</style></head>
<body>
<header>
  <strong>framescope review</strong>
  <span id="progress"></span>
  <label><input type="checkbox" id="pending-only"> pending only</label>
  <label>reviewer <input id="reviewer" size="12"></label>
  <button id="save">Save JSON lines</button>
  <span class="meta">keys: j/k move, a accept, c clear, 1-9 toggle labels</span>
</header>
<main id="rows"></main>
<script id="review-data" type="application/json">__DATA__</script>
<script>
"use strict";
const DATA = JSON.parse(document.getElementById("review-data").textContent);
const saved = JSON.parse(localStorage.getItem(DATA.storageKey) || "{}");
const state = DATA.rows.map(row => {
  const start = row.labels || row.existing || row.suggested || [];
  const decided = saved[row.id];
  return decided ? {chosen: new Set(decided.labels), reviewed: decided.status === "reviewed",
                    at: decided.at, by: decided.by}
                 : {chosen: new Set(start), reviewed: row.status === "reviewed", at: row.reviewed_at,
                    by: row.reviewer};
});
let current = 0;
const reviewerBox = document.getElementById("reviewer");
reviewerBox.value = localStorage.getItem("framescope-reviewer") || DATA.reviewer || "";
reviewerBox.addEventListener("change", () => localStorage.setItem("framescope-reviewer", reviewerBox.value));

function persist() {
  const out = {};
  state.forEach((s, i) => { if (s.reviewed) out[DATA.rows[i].id] = {labels: [...s.chosen], status: "reviewed", at: s.at, by: s.by}; });
  localStorage.setItem(DATA.storageKey, JSON.stringify(out));
}

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function build() {
  const main = document.getElementById("rows");
  DATA.rows.forEach((row, i) => {
    const card = el("section", "row"); card.id = "row-" + i; card.dataset.id = row.id;
    if (row.context) card.appendChild(el("div", "context", row.context));
    card.appendChild(el("div", "text", row.text));
    const chips = el("div", "chips");
    DATA.labels.forEach(label => {
      const chip = el("button", "chip", label);
      chip.type = "button"; chip.dataset.label = label; chip.title = DATA.definitions[label] || "";
      chip.addEventListener("click", () => { current = i; toggle(i, label); paint(); });
      chips.appendChild(chip);
    });
    card.appendChild(chips);
    const verbs = el("div", "verbs");
    const accept = el("button", "accept", "Accept"); accept.type = "button";
    accept.addEventListener("click", () => decide(i, false));
    const clear = el("button", "clear", "Clear (no framing)"); clear.type = "button";
    clear.addEventListener("click", () => decide(i, true));
    verbs.appendChild(accept); verbs.appendChild(clear);
    verbs.appendChild(el("span", "status"));
    card.appendChild(verbs);
    const why = row.blind ? "" : (row.why || []).join(", ");  // "flagged" would unblind
    card.appendChild(el("div", "meta", [row.doc_id, why && "chosen: " + why, row.source].filter(Boolean).join(" \u00b7 ")));
    card.addEventListener("click", event => {
      if (event.target.closest("button")) return;  // buttons act on their own (accept moves on)
      current = i; paint();
    });
    main.appendChild(card);
  });
}

function toggle(i, label) {
  const s = state[i];
  s.chosen.has(label) ? s.chosen.delete(label) : s.chosen.add(label);
  // A change is a decision, by whoever makes it: saved even if Accept is never pressed.
  s.reviewed = true; s.at = new Date().toISOString(); s.by = reviewerBox.value || "anonymous";
  persist(); paintRow(i); paintProgress();
}

function decide(i, clear) {
  const s = state[i];
  if (clear) s.chosen.clear();
  s.reviewed = true; s.at = new Date().toISOString(); s.by = reviewerBox.value || "anonymous";
  persist(); paintRow(i); paintProgress();
  if (i === current) move(1);
}

function paintRow(i) {
  const card = document.getElementById("row-" + i), s = state[i];
  card.classList.toggle("reviewed", s.reviewed);
  card.classList.toggle("current", i === current);
  card.classList.toggle("hidden", document.getElementById("pending-only").checked && s.reviewed && i !== current);
  card.querySelectorAll(".chip").forEach(c => c.classList.toggle("on", s.chosen.has(c.dataset.label)));
  card.querySelector(".status").textContent = s.reviewed ? "reviewed: " + ([...s.chosen].join(", ") || "no framing") : "pending";
}

function paintProgress() {
  const done = state.filter(s => s.reviewed).length;
  document.getElementById("progress").textContent = done + " of " + state.length + " reviewed";
}

function paint() { DATA.rows.forEach((_, i) => paintRow(i)); paintProgress(); }

function move(step) {
  current = Math.max(0, Math.min(DATA.rows.length - 1, current + step));
  paint();
  document.getElementById("row-" + current).scrollIntoView({block: "center"});
}

function exportLines() {
  return DATA.rows.map((row, i) => {
    const s = state[i], out = Object.assign({}, row);
    if (s.reviewed) {
      out.labels = DATA.labels.filter(l => s.chosen.has(l));
      out.status = "reviewed";
      out.reviewer = s.by || reviewerBox.value || "anonymous";  // who decided, not who saved
      out.reviewed_at = s.at;
    }
    return JSON.stringify(out);
  }).join("\n") + "\n";
}
window.framescopeExport = exportLines;

document.getElementById("save").addEventListener("click", () => {
  const blob = new Blob([exportLines()], {type: "application/x-ndjson"});
  const link = el("a"); link.href = URL.createObjectURL(blob); link.download = DATA.fileName;
  document.body.appendChild(link); link.click(); link.remove();
});
document.getElementById("pending-only").addEventListener("change", paint);
document.addEventListener("keydown", event => {
  if (event.target.tagName === "INPUT") return;
  if (event.key === "j") move(1);
  else if (event.key === "k") move(-1);
  else if (event.key === "a") decide(current, false);
  else if (event.key === "c") decide(current, true);
  else if (/^[1-9]$/.test(event.key) && DATA.labels[+event.key - 1]) toggle(current, DATA.labels[+event.key - 1]);
});
build(); paint();
</script>
</body></html>
"""
