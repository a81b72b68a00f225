"""Analyst views: the HTML page, the corpus report, and the notebook."""

import json
import re
from pathlib import Path

import pytest

from framescope.cli import main
from framescope.render import render_html

REPO = Path(__file__).resolve().parent.parent


def scored_records():
    text = "The junta seized power. Prices rose.\nLabs <b>brew</b> germs & more."
    return [
        {"id": "d1", "text": text, "date": "2020-01-03", "outlet": "A+B",
         "spans": [{"start": 0, "end": 23, "text": "The junta seized power.", "label": "coup", "score": 0.91},
                   {"start": 37, "end": 66, "text": text[37:66], "label": "biolab_threat", "score": 0.62},
                   {"start": 37, "end": 66, "text": text[37:66], "label": "coup", "score": 0.4}],
         "summary": {"coup": {"max_score": 0.91, "spans": 2}, "biolab_threat": {"max_score": 0.62, "spans": 1}}},
        {"id": "d2", "text": "Nothing to see.", "date": "2020-02-10", "outlet": "B", "spans": [],
         "summary": {"coup": {"max_score": 0.1, "spans": 0}, "biolab_threat": {"max_score": 0.2, "spans": 0}}},
        {"id": "bad", "spans": [], "summary": None, "error": "corpus.jsonl:3: bad JSON"},
    ]


def test_page_is_self_contained_and_escapes_text():
    page = render_html(scored_records(), ["coup", "biolab_threat"],
                       {"coup": "Presented as a coup.", "biolab_threat": "Labs as weapons."})
    assert "<b>brew</b>" not in page and "&lt;b&gt;brew&lt;/b&gt;" in page
    assert not re.search(r"(src|href)=\"https?://", page)  # nothing fetched from the network
    marks = re.findall(r"<mark [^>]*>(.*?)<sup>", page, flags=re.S)
    assert marks[0] == "The junta seized power."
    assert "Presented as a coup." in page and "Not scored: corpus.jsonl:3: bad JSON" in page


def test_render_caps_large_inputs_with_a_notice(tmp_path, tiny_model_dir):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": str(i), "text": f"Doc {i}."}) + "\n"
                              for i in range(30)))
    out = tmp_path / "page.html"
    assert main(["render", str(corpus), "-o", str(out), "--model", str(tiny_model_dir),
                 "--max-documents", "10"]) == 0
    page = out.read_text()
    assert "Showing the first 10 of 30 documents" in page
    assert page.count('<article class="doc">') == 10


def test_report_writes_tables_plots_and_summary(tmp_path):
    scored = tmp_path / "scored.jsonl"
    scored.write_text("".join(json.dumps(r) + "\n" for r in scored_records()))
    out = tmp_path / "report"
    assert main(["report", str(scored), "-o", str(out), "--source-field", "outlet"]) == 0
    for name in ["overall.csv", "overall.png", "overall.svg", "by_period.csv", "trend.png",
                 "by_source.csv", "by_source.png", "summary.md"]:
        assert (out / name).is_file(), name
    overall = (out / "overall.csv").read_text().splitlines()
    assert overall[0] == "label,documents,document_share,spans,span_share"
    assert "coup,1,0.5,2,0.6667" in overall
    summary = (out / "summary.md").read_text()
    assert "2 documents scored, 1 could not be scored" in summary
    by_source = (out / "by_source.csv").read_text()
    assert by_source.splitlines()[1].startswith("B,2,")  # "A+B" counts for both outlets


def test_report_names_records_without_a_source_and_counts_thin_periods():
    import pandas as pd

    from framescope.report import NO_SOURCE, corpus_tables

    records = scored_records()[:2]
    records[1]["outlet"] = " "
    tables = corpus_tables(pd.DataFrame(records), ["coup", "biolab_threat"], "date", "outlet")
    assert set(tables["by_source"].index) == {"A", "B", NO_SOURCE}
    assert tables["by_period"]["documents"].tolist() == [1, 1]  # January and February 2020


@pytest.mark.skipif(not (REPO / "models" / "default" / "model.safetensors").is_file(),
                    reason="models/default not trained yet")
def test_quickstart_notebook_runs(tmp_path):
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(REPO / "notebooks" / "quickstart.ipynb", as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(REPO / "notebooks")}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("color_revolution" in o.get("text", "") for o in outputs)


def test_shipped_euvsdisinfo_outlets_have_no_scraping_artefacts():
    """The page's "Show more" button was scraped as an outlet in 95 cases; the repository's
    copy drops it, so reports by outlet do not show it as a source."""
    import csv

    path = REPO / "data" / "raw" / "euvsdisinfo" / "cases_2015-01_2020-06.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        outlets = {o for row in csv.DictReader(handle) for o in row["outlets"].split("+")}
    assert "Show more" not in outlets
    assert "Sputnik Arabic" in outlets


def test_report_checks_its_counts_against_reviewed_sentences(tmp_path, capsys):
    """Precision of flags and recall per label, from reviewed rows drawn at random or from the
    flags; rows chosen for other reasons, and pending ones, are left out."""
    scored = tmp_path / "scored.jsonl"
    coup = {"label": "coup", "score": 0.9}
    scored.write_text("".join(json.dumps(r) + "\n" for r in [
        {"id": "a", "text": "Coup here. Calm day. Coup again.", "spans": [
            {**coup, "start": 0, "end": 10, "text": "Coup here."},
            {**coup, "start": 21, "end": 32, "text": "Coup again."}]},
        {"id": "b", "text": "Coup there. Quiet.", "spans": [
            {**coup, "start": 0, "end": 11, "text": "Coup there."}]},
    ]))

    def row(doc, start, end, text, why, labels, status="reviewed"):
        return {"id": f"{doc}:{start}-{end}", "doc_id": doc, "start": start, "end": end,
                "text": text, "why": why, "labels": labels, "status": status}

    reviewed = tmp_path / "review.reviewed.jsonl"
    rows = [row("a", 0, 10, "Coup here.", ["flagged"], ["coup"]),              # right
            row("a", 21, 32, "Coup again.", ["random", "flagged"], []),        # wrong
            row("b", 0, 11, "Coup there.", ["flagged"], ["coup"]),             # right
            row("a", 11, 20, "Calm day.", ["random"], ["coup"]),               # missed
            row("b", 12, 18, "Quiet.", ["near_threshold"], ["coup"]),          # left out
            row("b", 12, 18, "Quiet.", ["random"], None, status="pending")]    # left out
    rows[0]["sampled_flags"] = ["coup"]  # a blind sample says what the sampler flagged ...
    rows[2]["suggested"] = []           # ... and this one was drawn at another threshold
    reviewed.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "report"
    assert main(["report", str(scored), "-o", str(out), "--reviewed", str(reviewed)]) == 0

    check = {r["label"]: r for r in json.loads((out / "summary.json").read_text())["reviewed_check"]}
    assert (check["coup"]["spans"], check["coup"]["reviewed_flags"], check["coup"]["right"]) == (3, 3, 2)
    assert check["coup"]["precision_low"] < 2 / 3 == check["coup"]["precision"] < check["coup"]["precision_high"]
    assert check["coup"]["right_spans"] == 2
    assert (check["coup"]["random_framed"], check["coup"]["recall"]) == (1, 0.0)
    summary = (out / "summary.md").read_text()
    assert "4 reviewed sentences used (2 drawn at random); 1 still pending" in summary
    assert "| coup | 3 | 3 | 2 | 0.67 (" in summary
    assert "warning: 2 rows do not say which labels the sampler flagged" in summary
    assert "warning: 1 rows were suggested other labels than the scored file flags" in summary
    assert (out / "reviewed_check.csv").is_file()

    # A row of another corpus is named, not silently counted as unflagged; nothing is written.
    reviewed.write_text(json.dumps(row("zz", 0, 4, "Coup", ["random"], [])) + "\n")
    out = tmp_path / "report2"
    assert main(["report", str(scored), "-o", str(out), "--reviewed", str(reviewed)]) == 2
    assert not out.exists()
    assert "reviewed row 1 (id 'zz:0-4'): document 'zz' is not among" in capsys.readouterr().err
    reviewed.write_text(json.dumps(row("a", 0, 10, "Calm day.", ["random"], [])) + "\n")
    assert main(["report", str(scored), "-o", str(out), "--reviewed", str(reviewed)]) == 2
    assert "its text is not at offsets 0-10 of document 'a'" in capsys.readouterr().err
    twice = tmp_path / "twice.jsonl"
    twice.write_text(scored.read_text() + scored.read_text().splitlines()[0] + "\n")
    reviewed.write_text(json.dumps(row("a", 0, 10, "Coup here.", ["random"], [])) + "\n")
    assert main(["report", str(twice), "-o", str(out), "--reviewed", str(reviewed)]) == 2
    assert "document id 'a' is used by several records" in capsys.readouterr().err


def test_weekly_trends_run_monday_to_sunday():
    import pandas as pd

    from framescope.report import corpus_tables

    records = [{"id": d, "date": d, "spans": []} for d in ("2024-01-01", "2024-01-07", "2024-01-08")]
    tables = corpus_tables(pd.DataFrame(records), ["coup"], "date", None, period="week")
    assert tables["by_period"]["documents"].to_dict() == {"2024-01-01/2024-01-07": 2,
                                                          "2024-01-08/2024-01-14": 1}


def test_report_reads_list_sources_alike_from_json_lines_and_parquet(tmp_path, tiny_model_dir):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in [
        {"id": "1", "text": "The junta seized power.", "outlets": ["RT", "TASS"]},
        {"id": "2", "text": "Prices rose.", "outlets": ["RT"]},
        {"id": "3", "text": "A quiet day.", "outlets": "TASS"}]))
    tables = {}
    for suffix in ("jsonl", "parquet"):
        scored = tmp_path / f"scored.{suffix}"
        assert main(["predict", str(corpus), "-o", str(scored), "--model", str(tiny_model_dir),
                     "--no-progress"]) == 0
        assert main(["report", str(scored), "-o", str(tmp_path / suffix),
                     "--source-field", "outlets"]) == 0
        tables[suffix] = (tmp_path / suffix / "by_source.csv").read_text()
    assert tables["parquet"] == tables["jsonl"]
    assert [line.split(",")[:2] for line in tables["jsonl"].splitlines()[1:]] == [["RT", "2"], ["TASS", "2"]]
