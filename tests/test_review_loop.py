"""The review loop end to end, on a tiny corpus and a tiny model: score, sample the sentences
worth reading, review them (HTML page data, Label Studio round trip), train on the result."""

import json

import pytest

from framescope.cli import main
from framescope.labelstudio import from_tasks, labeling_config, to_tasks
from framescope.sampling import ReviewSampler, read_existing_labels

from .conftest import TAXONOMY, write_jsonl

DOCS = [
    {"id": "a", "text": "The protests were organised from abroad. Police counted 300 people."},
    {"id": "b", "text": "The junta in Kyiv seized power. The weather was fine on Sunday."},
    {"id": "c", "text": "Sanctions are pure Russophobia. Prices rose by two percent."},
    {"id": "d", "text": "NATO is preparing a war against us. The match ended in a draw."},
    {"id": "e", "text": "Western media wage an information war. The museum opened at nine."},
    {"id": "f", "text": "</script><script>alert(1)</script> The vote was rigged. Turnout was low."},
]


@pytest.fixture()
def scored(tmp_path, tiny_model_dir):
    corpus = write_jsonl(tmp_path / "corpus.jsonl", DOCS)
    out = tmp_path / "scored.jsonl"
    assert main(["predict", str(corpus), "-o", str(out), "--model", str(tiny_model_dir),
                 "--no-progress"]) == 0
    return out


def _read(path):
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def test_sample_picks_sentences_with_offsets_and_reasons(scored, tmp_path, tiny_model_dir):
    review = tmp_path / "review.jsonl"
    assert main(["sample", str(scored), "-o", str(review), "--model", str(tiny_model_dir),
                 "--n", "6", "--random-share", "0.5", "--seed", "3"]) == 0
    rows = _read(review)
    assert 1 <= len(rows) <= 6
    texts = {d["id"]: d["text"] for d in DOCS}
    for row in rows:
        assert texts[row["doc_id"]][row["start"]:row["end"]] == row["text"]
        assert row["status"] == "pending" and row["labels"] is None
        assert set(row["why"]) <= {"random", "disagrees", "near_threshold", "flagged"}
        assert set(row["suggested"]) <= set(TAXONOMY.names)
    assert sum("random" in r["why"] for r in rows) == 3

    blind = tmp_path / "blind.jsonl"
    assert main(["sample", str(scored), "-o", str(blind), "--model", str(tiny_model_dir),
                 "--n", "6", "--blind"]) == 0
    assert all("suggested" not in r and "scores" not in r for r in _read(blind))
    assert all(r["blind"] and isinstance(r["sampled_flags"], list) for r in _read(blind))


def test_sampling_is_seeded_and_puts_disagreements_first(tiny_model):
    documents = [(d["id"], d["text"], f"corpus:{i}") for i, d in enumerate(DOCS)]
    first = ReviewSampler(n=4, seed=7).sample(documents, tiny_model)
    assert first == ReviewSampler(n=4, seed=7).sample(documents, tiny_model)
    # A sentence already labelled with something the model does not predict is a disagreement.
    target = first[0]
    wrong = sorted(set(TAXONOMY.names) - set(target["suggested"]))[:1]
    existing = {(target["doc_id"], target["start"], target["end"]): wrong}
    again = ReviewSampler(n=2, random_share=0.0, seed=7).sample(documents, tiny_model, existing)
    assert again[0]["id"] == target["id"] and again[0]["why"] == ["disagrees"]
    assert again[0]["existing"] == wrong


def test_sampler_refuses_bad_settings():
    with pytest.raises(ValueError, match="random share"):
        ReviewSampler(random_share=1.5)
    with pytest.raises(ValueError, match="n must be"):
        ReviewSampler(n=0)


def test_review_page_is_offline_and_escapes_text(scored, tmp_path, tiny_model_dir):
    review, page = tmp_path / "review.jsonl", tmp_path / "review.html"
    assert main(["sample", str(scored), "-o", str(review), "--model", str(tiny_model_dir),
                 "--n", "20", "--random-share", "1"]) == 0
    assert main(["review", str(review), "-o", str(page), "--model", str(tiny_model_dir)]) == 0
    html = page.read_text("utf-8")
    assert "http://" not in html and "https://" not in html and "<link" not in html
    assert "<script>alert(1)" not in html  # the sentence text cannot close the data block
    assert html.count("</script>") == 2
    data = html.split('type="application/json">', 1)[1].split("</script>", 1)[0]
    rows = json.loads(data)["rows"]
    assert any("alert(1)" in r["text"] for r in rows)


def test_label_studio_round_trip_and_training_on_reviewed_rows(scored, tmp_path, tiny_model_dir,
                                                               tiny_encoder_dir):
    review, tasks_file, config = tmp_path / "review.jsonl", tmp_path / "tasks.json", tmp_path / "c.xml"
    assert main(["sample", str(scored), "-o", str(review), "--model", str(tiny_model_dir),
                 "--n", "12", "--random-share", "1"]) == 0
    assert main(["labelstudio", "export", str(review), "-o", str(tasks_file), "--config",
                 str(config), "--model", str(tiny_model_dir)]) == 0
    tasks = json.loads(tasks_file.read_text("utf-8"))
    assert len(tasks) == len(_read(review)) >= 8
    assert '<Choices name="framings" toName="text" choice="multiple"' in config.read_text()

    # What Label Studio gives back: annotations on all but the last task (one cancelled).
    for n, task in enumerate(tasks[:-1]):
        choices = ["coup"] if "junta" in task["data"]["text"] or "rigged" in task["data"]["text"] else []
        task["annotations"] = [{"result": [{"from_name": "framings", "to_name": "text",
                                            "type": "choices", "value": {"choices": choices}}],
                                "was_cancelled": False, "completed_by": {"email": "ana@example.org"},
                                "updated_at": "2026-11-29T10:00:00Z"}]
    tasks[0]["annotations"].append({"result": [], "was_cancelled": True,
                                    "updated_at": "2026-11-30T10:00:00Z"})
    exported = tmp_path / "export.json"
    exported.write_text(json.dumps(tasks), "utf-8")
    reviewed = tmp_path / "reviewed.jsonl"
    assert main(["labelstudio", "import", str(exported), "-o", str(reviewed), "--model",
                 str(tiny_model_dir)]) == 0
    rows = _read(reviewed)
    assert [r["status"] for r in rows] == ["reviewed"] * (len(rows) - 1) + ["pending"]
    assert rows[0]["reviewer"] == "labelstudio:ana@example.org"
    assert all(r["text"] in {s for d in DOCS for s in [d["text"][r["start"]:r["end"]]]} for r in rows)

    # `framescope train` reads the reviewed file as it is; the pending row is left out.
    out = tmp_path / "model"
    assert main(["train", "--data", str(reviewed), "--dev", str(reviewed), "--base",
                 str(tiny_encoder_dir), "--out", str(out), "--epochs", "1", "--batch-size", "4"]) == 0
    assert (out / "model.safetensors").is_file()
    # ... and the reviewed file is what the next `sample --labels` measures disagreement against.
    assert len(read_existing_labels(reviewed)) == len(rows) - 1


def test_label_studio_import_refuses_unknown_labels():
    tasks = [{"data": {"text": "x", "id": "1"}, "annotations": [
        {"result": [{"from_name": "framings", "type": "choices", "value": {"choices": ["aliens"]}}]}]}]
    with pytest.raises(ValueError, match="aliens.*valid: foreign_interference"):
        from_tasks(tasks, TAXONOMY.names)
    # Choices made in another labeling interface are not read as "no framing".
    tasks[0]["annotations"][0]["result"][0].update(from_name="sentiment", value={"choices": ["coup"]})
    with pytest.raises(ValueError, match="choices come from control.s. sentiment, not 'framings'"):
        from_tasks(tasks, TAXONOMY.names)
    # ... while another control beside `framings` (a confidence rating) is ignored.
    tasks[0]["annotations"][0]["result"].append(
        {"from_name": "framings", "type": "choices", "value": {"choices": ["coup"]}})
    assert from_tasks(tasks, TAXONOMY.names)[0]["labels"] == ["coup"]


def test_a_blind_row_keeps_its_sampler_flags_out_of_label_studio_data_and_gets_them_back():
    row = {"id": "d:0-5", "text": "Hello", "blind": True, "sampled_flags": ["coup"],
           "why": ["flagged"], "labels": None, "status": "pending"}
    task = to_tasks([row])[0]
    assert "sampled_flags" not in task["data"] and "why" not in task["data"]
    assert "predictions" not in task
    back = from_tasks([task], TAXONOMY.names)[0]
    assert back["sampled_flags"] == ["coup"] and back["why"] == ["flagged"]


def test_label_studio_export_carries_suggestions_as_predictions():
    rows = [{"id": "d:0-5", "text": "Hello", "suggested": ["coup"], "labels": None, "status": "pending"}]
    task = to_tasks(rows)[0]
    assert task["data"]["text"] == "Hello" and "labels" not in task["data"]
    assert task["predictions"][0]["result"][0]["value"]["choices"] == ["coup"]
    assert "annotations" not in task
    assert 'hint="A change' in labeling_config(["coup"], {"coup": "A change of power"})


def test_the_random_share_is_a_uniform_draw_from_the_whole_corpus(tiny_model):
    # 400 one-sentence documents; every sentence is near a threshold (margin 0.99), so that
    # pool fills what the random quarter leaves. A uniform draw of 75 takes about 14 of the
    # first 75 documents, never most of them.
    documents = [(f"{i:03d}", f"Report number {i} was filed on time.", "corpus") for i in range(400)]
    rows = ReviewSampler(n=300, random_share=0.25, margin=0.99, seed=5).sample(documents, tiny_model)
    drawn = [int(r["doc_id"]) for r in rows if r["why"][0] == "random"]
    assert len(rows) == 300 and len(drawn) == 75
    assert sum(i < 75 for i in drawn) < 30


def test_report_checks_counts_on_a_reviewed_sample_of_the_same_scored_file(scored, tmp_path,
                                                                          tiny_model_dir):
    review = tmp_path / "review.jsonl"
    assert main(["sample", str(scored), "-o", str(review), "--model", str(tiny_model_dir),
                 "--n", "20", "--random-share", "1"]) == 0
    rows = _read(review)
    for row in rows:  # a reader who agrees with every suggestion
        row.update(labels=row["suggested"], status="reviewed")
    reviewed = write_jsonl(tmp_path / "review.reviewed.jsonl", rows)
    out = tmp_path / "report"
    assert main(["report", str(scored), "-o", str(out), "--reviewed", str(reviewed)]) == 0
    check = json.loads((out / "summary.json").read_text())["reviewed_check"]
    flagged = [r for r in check if r["reviewed_flags"]]
    assert flagged and all(r["precision"] == 1.0 for r in flagged)
    assert all(r["recall"] in (None, 1.0) for r in check)


def test_sample_stops_on_a_document_id_used_twice(tmp_path, tiny_model_dir, capsys):
    """Review rows are keyed by document id and offsets: two documents with one id would mix."""
    first = write_jsonl(tmp_path / "a.jsonl", [{"id": 1, "text": "The coup was staged."}])
    second = write_jsonl(tmp_path / "b.jsonl", [{"id": 1, "text": "NATO puppets rule here."}])
    assert main(["sample", str(first), str(second), "-o", str(tmp_path / "r.jsonl"),
                 "--model", str(tiny_model_dir)]) == 2
    assert f"{second}:1: document id '1' was already used by {first}:1" in capsys.readouterr().err
    assert not (tmp_path / "r.jsonl").exists()


def test_report_estimates_recall_without_bias_when_sample_tops_up(tiny_model_dir):
    """Over many seeds the estimated recall is the corpus's true recall, also when the flagged pool is small and `sample` tops up at
    random (the top-up once skipped flagged rows, which biased recall towards 0)."""
    import numpy as np
    import pandas as pd

    from framescope import load_model, predict, score_sentences
    from framescope.count_check import check_counts

    texts = [f"Report {i} says the council met {i % 7} times about {'roads' if i % 2 else 'ports'}."
             for i in range(300)]
    model = load_model(tiny_model_dir, precision="fp32")
    coup = np.array([s[0].scores["coup"] for s in score_sentences(texts, model)])
    # coup flags about a tenth of the sentences; no other label flags any
    model.settings.thresholds = {l: 1.1 for l in model.labels} | {"coup": float(np.quantile(coup, 0.9))}
    # the reader's labels: a fixed set, half of it among the flags
    framed = {f"{i:03d}" for i in range(300) if coup[i] >= np.quantile(coup, 0.8) or i % 10 == 0}
    frame = pd.DataFrame([{"id": f"{i:03d}", "text": t, "spans": [s.to_dict() for s in spans]}
                          for i, (t, spans) in enumerate(zip(texts, predict(texts, model)))])
    flagged = {r.id for r in frame.itertuples() if r.spans}
    true_recall = len(flagged & framed) / len(framed)

    estimates = []
    for seed in range(20):
        rows = ReviewSampler(n=100, random_share=0.3, margin=1e-6, seed=seed).sample(
            [(f"{i:03d}", t, "corpus") for i, t in enumerate(texts)], model)
        assert sum("random" in r["why"] for r in rows) > 30  # the top-up ran
        for row in rows:
            row.update(labels=["coup"] if row["doc_id"] in framed else [], status="reviewed")
        table, _ = check_counts(frame, rows, model.labels, {"coup": len(flagged)})
        estimates.append(table.set_index("label").loc["coup", "recall"])
    assert abs(np.mean(estimates) - true_recall) < 0.07, (np.mean(estimates), true_recall)
