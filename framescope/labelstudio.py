"""Review files to and from Label Studio's JSON task format, for teams that label there.

    framescope labelstudio export review.jsonl -o tasks.json --config config.xml
    framescope labelstudio import project-export.json -o reviewed.jsonl

Export writes one task per review row: `data.text` (the sentence), `data.context` (the sentence
before it) and every other field of the row under `data`, so an import needs nothing but the
Label Studio export. A row's `suggested` labels go in as a *prediction* (pre-annotation) unless
the sample was blind. `--config` writes the matching labeling interface: a multiple-choice
`Choices` control named `framings` with one `Choice` per label, its definition as the hint.

Import reads Label Studio's JSON export (a list of tasks with `annotations`). A task's latest
annotation that was not cancelled gives its labels (no choice = no framing), its annotator
(`completed_by`) and time; tasks nobody annotated come back `pending`. The result is a review
file that `framescope train` reads directly.
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import quoteattr

__all__ = ["to_tasks", "from_tasks", "labeling_config", "labelstudio_command"]

CONTROL = "framings"


def labeling_config(labels: list[str], definitions: dict[str, str]) -> str:
    choices = "\n".join(f"    <Choice value={quoteattr(label)} hint={quoteattr(definitions.get(label, ''))}/>"
                        for label in labels)
    return ("<View>\n"
            '  <Text name="context" value="$context"/>\n'
            '  <Text name="text" value="$text"/>\n'
            f'  <Choices name="{CONTROL}" toName="text" choice="multiple" showInLine="false">\n'
            f"{choices}\n"
            "  </Choices>\n"
            "</View>\n")


def _result(labels: list[str]) -> list[dict]:
    if not labels:
        return []
    return [{"from_name": CONTROL, "to_name": "text", "type": "choices",
             "value": {"choices": list(labels)}}]


def to_tasks(rows: list[dict], model_version: str = "framescope") -> list[dict]:
    tasks = []
    for row in rows:
        # A blind row's sampler flags and reasons go to the task's `meta`, which Label Studio
        # keeps and exports but does not list as data columns, so the reader does not see them.
        hidden = ("sampled_flags", "why") if row.get("blind") else ()
        data = {k: v for k, v in row.items()
                if k not in ("labels", "status", "scores", *hidden)}
        data.setdefault("context", "")
        task = {"data": data}
        if hidden:
            task["meta"] = {k: row[k] for k in hidden if k in row}
        if row.get("suggested") is not None:
            task["predictions"] = [{"model_version": model_version,
                                    "result": _result(row["suggested"])}]
        if row.get("status") == "reviewed":
            task["annotations"] = [{"result": _result(row.get("labels") or []),
                                    "was_cancelled": False}]
        tasks.append(task)
    return tasks


def _annotator(annotation: dict) -> str:
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        who = who.get("email") or who.get("id")
    return f"labelstudio:{who}" if who is not None else "labelstudio"


def _check_control(tasks: list, where: str) -> None:
    """An export whose choices all come from other controls was labelled with another interface:
    read as it is, every decision would become "no framing", so refuse it. (Other controls
    beside `framings`, a confidence rating say, are fine and ignored.)"""
    controls = {str(r.get("from_name")) for task in tasks if isinstance(task, dict)
                for a in task.get("annotations") or [] if isinstance(a, dict)
                for r in a.get("result") or [] if isinstance(r, dict) and r.get("type") == "choices"}
    if controls and CONTROL not in controls:
        raise ValueError(f"{where}: its choices come from control(s) {', '.join(sorted(controls))}, "
                         f"not {CONTROL!r}: label with the interface `framescope labelstudio "
                         "export --config` writes")


def from_tasks(tasks: list, labels: list[str], where: str = "<export>") -> list[dict]:
    """Review rows from a Label Studio export; labels outside `labels` are an error."""
    if not isinstance(tasks, list):
        raise ValueError(f"{where}: expected a list of Label Studio tasks (JSON export)")
    known = set(labels)
    _check_control(tasks, where)
    rows = []
    for position, task in enumerate(tasks, 1):
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            raise ValueError(f"{where}: task {position} has no 'data' object")
        row = dict(task["data"])
        if isinstance(task.get("meta"), dict):  # a blind row's sampler flags and reasons
            row.update({k: v for k, v in task["meta"].items() if k in ("sampled_flags", "why")})
        if not isinstance(row.get("text"), str):
            raise ValueError(f"{where}: task {position} has no text in data.text")
        row.setdefault("id", task.get("id", position))
        done = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
        if not done:
            row.update(labels=None, status="pending")
            rows.append(row)
            continue
        latest = max(done, key=lambda a: str(a.get("updated_at") or a.get("created_at") or ""))
        chosen = sorted({c for r in latest.get("result") or []
                         if r.get("from_name") == CONTROL and r.get("type") == "choices"
                         for c in (r.get("value") or {}).get("choices", [])})
        unknown = sorted(set(chosen) - known)
        if unknown:
            raise ValueError(f"{where}: task {position} has label(s) {', '.join(unknown)} not in "
                             f"the taxonomy (valid: {', '.join(labels)})")
        row.update(labels=chosen, status="reviewed", reviewer=_annotator(latest))
        if latest.get("updated_at") or latest.get("created_at"):
            row["reviewed_at"] = latest.get("updated_at") or latest.get("created_at")
        rows.append(row)
    return rows


def labelstudio_command(args) -> int:
    import sys

    from framescope.inference.taxonomy import Taxonomy

    from .outputs import check_output_folder, write_atomically, write_json_lines
    from .review_page import read_review_file, taxonomy_path

    output = check_output_folder(args.output)
    taxonomy = Taxonomy.load(taxonomy_path(args))
    if args.direction == "export":
        rows = read_review_file(args.input)
        write_atomically(output, json.dumps(to_tasks(rows), ensure_ascii=False, indent=1) + "\n")
        if args.config:
            Path(args.config).write_text(
                labeling_config(taxonomy.names, {l.name: l.definition for l in taxonomy.labels}),
                "utf-8")
        print(f"{len(rows)} tasks written to {output}", file=sys.stderr)
        return 0
    try:
        tasks = json.loads(Path(args.input).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{args.input}: not a readable Label Studio JSON export ({error})") from None
    rows = from_tasks(tasks, taxonomy.names, str(args.input))
    write_json_lines(output, rows)
    reviewed = sum(r["status"] == "reviewed" for r in rows)
    print(f"{reviewed} of {len(rows)} tasks reviewed; written to {output}", file=sys.stderr)
    return 0
