"""Training end to end on a tiny encoder, the saved folder, thresholds, and bad data."""

import json

import numpy as np
import pytest
import torch

from framescope import load_model
from framescope.inference.taxonomy import Taxonomy, TaxonomyError
from framescope.train.arguments import TrainingArguments
from framescope.train.data import DataError, Example, read_examples
from framescope.train.metrics import calibrate_thresholds, score_labels
from framescope.train.teacher import model_record
from framescope.train.trainer import FramingTrainer

TAXONOMY = Taxonomy.from_dict({"labels": [
    {"name": "coup", "definition": "A change of power is presented as a coup."},
    {"name": "biolab_threat", "definition": "Foreign laboratories are presented as making weapons."},
]})
COUP = ["The junta seized power in the capital.", "Officers staged a coup overnight.",
        "The putsch toppled the lawful government.", "Soldiers grabbed power by force."]
LAB = ["Secret laboratories are brewing germ weapons.", "The biolab spreads deadly viruses.",
       "Pentagon labs breed pathogens on our border.", "The laboratory makes bioweapons."]
NONE = ["The weather was mild on Sunday.", "The team won the cup final.",
        "Bread prices rose slightly.", "The museum opens at nine."]


def tiny_arguments(encoder_dir) -> TrainingArguments:
    return TrainingArguments(base=str(encoder_dir), epochs=12, learning_rate=3e-3, batch_size=16,
                             max_length=16, seed=7, early_stopping_patience=12, warmup_ratio=0.0)


def examples(repeat=4):
    rows = [Example(t, ["coup"]) for t in COUP] + [Example(t, ["biolab_threat"]) for t in LAB]
    rows += [Example(t, []) for t in NONE]
    return rows * repeat


def train_and_save(args: TrainingArguments, out):
    """Fit on the separable examples (one copy of them as dev) and save to `out`."""
    trainer = FramingTrainer(args)
    model = trainer.fit(examples(), examples(1), TAXONOMY)
    trainer.save(model, out, data_files={"train": "in-memory"})
    return trainer, model, out


@pytest.fixture(scope="module")
def trained(tiny_encoder_dir, tmp_path_factory):
    return train_and_save(tiny_arguments(tiny_encoder_dir), tmp_path_factory.mktemp("trained"))


def test_training_learns_separable_labels(trained):
    trainer, model, _ = trained
    assert trainer.report["epochs_run"] >= 1
    assert trainer.report["dev"]["macro_f1"] >= 0.9
    scores = model.predict_proba(["Officers staged a coup overnight."])
    assert scores[0, 0] > scores[0, 1]


def test_saved_folder_round_trips(trained):
    _, model, out = trained
    for name in ["model.safetensors", "config.json", "tokenizer.json", "framescope.json",
                 "taxonomy.yaml", "metrics.json", "training_args.json", "README.md"]:
        assert (out / name).is_file(), name
    assert not list(out.glob("*.bin")) and not list(out.glob("*.pt"))  # safetensors only
    loaded = load_model(out, precision="fp32")
    assert loaded.labels == ["coup", "biolab_threat"]
    assert loaded.thresholds == model.thresholds
    texts = COUP + LAB + NONE
    # weights are stored as float16: scores agree to float16 precision
    assert np.allclose(loaded.predict_proba(texts), model.predict_proba(texts), atol=2e-3)
    run = json.loads((out / "training_args.json").read_text())
    assert run["arguments"]["seed"] == 7 and "torch" in run["versions"]
    card = (out / "README.md").read_text()
    assert "Intended use" in card and "coup" in card and "baseline" in card.lower()


def test_training_is_deterministic(tiny_encoder_dir, trained):
    first, _, _ = trained
    again = FramingTrainer(tiny_arguments(tiny_encoder_dir))
    again.fit(examples(), examples(1), TAXONOMY)
    assert again.report["dev"] == first.report["dev"]
    assert again.report["epoch_dev_micro_f1_at_0.5"] == first.report["epoch_dev_micro_f1_at_0.5"]


def test_threshold_calibration_picks_the_best_f1_cut():
    truth = np.array([[1], [1], [0], [0]])
    scores = np.array([[0.9], [0.7], [0.6], [0.1]])
    cut = calibrate_thresholds(truth, scores, ["x"], min_positives=2)["x"]
    assert 0.6 < cut <= 0.7  # separates the two positives from the two negatives
    # no positives on dev, or fewer than min_positives: leave the default
    assert calibrate_thresholds(np.zeros((2, 1)), scores[:2], ["x"])["x"] == 0.5
    assert calibrate_thresholds(truth, scores, ["x"], min_positives=3)["x"] == 0.5


def test_shared_calibration_gives_every_label_one_cut_chosen_on_pooled_scores():
    # label a alone would cut near 0.9, label b alone near 0.5; pooled, one cut serves both
    truth = np.array([[1, 0], [0, 1], [1, 0], [0, 1], [0, 0], [0, 0]])
    scores = np.array([[0.95, 0.1], [0.1, 0.75], [0.9, 0.2], [0.2, 0.8], [0.6, 0.4], [0.1, 0.3]])
    cuts = calibrate_thresholds(truth, scores, ["a", "b"], min_positives=2, shared=True)
    assert cuts["a"] == cuts["b"]
    assert 0.6 < cuts["a"] <= 0.75  # keeps all four positives, drops both negatives
    per_label = calibrate_thresholds(truth, scores, ["a", "b"], min_positives=2)
    assert per_label["a"] != per_label["b"]
    # too few positives pooled: every label keeps the default
    assert set(calibrate_thresholds(truth, scores, ["a", "b"], min_positives=5,
                                    shared=True).values()) == {0.5}


def test_scorer_reports_per_label_and_negatives_flagged():
    truth = np.array([[1, 0], [0, 0], [0, 1]])
    pred = np.array([[1, 0], [1, 0], [0, 0]])
    report = score_labels(truth, pred, ["a", "b"])
    assert report["per_label"]["a"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667,
                                        "support": 1, "predicted": 2}
    assert report["per_label"]["b"]["f1"] == 0.0
    assert report["negatives"] == 1 and report["negatives_flagged"] == 1


@pytest.mark.parametrize("content, message", [
    ('{"text": "ok", "labels": ["coup"]}\n{"text": "x", "labels": ["nonsense"]}\n',
     "line 2: unknown label(s) nonsense"),
    ('{"text": "ok", "labels": []}\n{"text": "  ", "labels": []}\n', "line 2: 'text' is empty"),
    ('{"labels": []}\n', "line 1: missing 'text'"),
    ('{"text": "ok"}\n', "line 1: missing 'labels'"),
    ('{"text": "ok", "labels": []}\n{oops\n', "line 2: not valid JSON"),
])
def test_bad_jsonl_names_file_and_line(tmp_path, content, message):
    path = tmp_path / "train.jsonl"
    path.write_text(content)
    with pytest.raises(DataError) as error:
        read_examples(path, TAXONOMY)
    assert str(path) in str(error.value) and message in str(error.value)


def test_bad_csv_names_missing_column(tmp_path):
    path = tmp_path / "train.csv"
    path.write_text("sentence,labels\nhello,coup\n")
    with pytest.raises(DataError, match=r"train.csv:line 1: missing column\(s\) text"):
        read_examples(path, TAXONOMY)


def test_csv_labels_are_split_on_semicolons(tmp_path):
    path = tmp_path / "train.csv"
    path.write_text('text,labels\n"A coup, with germs.",coup;biolab_threat\nNothing here.,\n')
    rows = read_examples(path, TAXONOMY)
    assert rows[0].labels == ["biolab_threat", "coup"] and rows[1].labels == []


def test_bad_taxonomy_is_refused(tmp_path):
    path = tmp_path / "tax.yaml"
    path.write_text("labels:\n  - name: a\n  - name: a\n")
    with pytest.raises(TaxonomyError, match="duplicate label names: a"):
        Taxonomy.load(path)


def test_cli_train_reports_bad_data_without_a_traceback(tmp_path, capsys):
    from framescope.cli import main

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "labels": ["not_a_label"]}\n')
    code = main(["train", "--data", str(bad), "--dev", str(bad), "--out", str(tmp_path / "m")])
    assert code == 2
    assert "bad.jsonl:line 1: unknown label(s) not_a_label" in capsys.readouterr().err


def test_training_can_continue_from_a_trained_model(trained, tiny_encoder_dir):
    """`init_from` starts from a saved model (e.g. models/default) instead of a bare encoder:
    with a learning rate of almost nothing, the result scores as the model it started from."""
    _, model, out = trained
    args = tiny_arguments(tiny_encoder_dir)
    args.init_from, args.epochs, args.learning_rate = str(out), 1, 1e-12
    continued = FramingTrainer(args).fit(examples(), examples(1), TAXONOMY)
    texts = COUP + LAB + NONE
    assert np.allclose(continued.predict_proba(texts), model.predict_proba(texts), atol=2e-3)


def test_continuing_with_other_labels_keeps_the_encoder_and_starts_a_new_head(trained,
                                                                               tiny_encoder_dir):
    _, model, out = trained
    other = Taxonomy.from_dict({"labels": [
        {"name": "coup", "definition": "A change of power is presented as a coup."}]})
    args = tiny_arguments(tiny_encoder_dir)
    args.init_from, args.epochs, args.learning_rate = str(out), 1, 1e-12
    only_coup = [Example(e.text, [l for l in e.labels if l == "coup"]) for e in examples()]
    continued = FramingTrainer(args).fit(only_coup, only_coup[:12], other)
    assert continued.labels == ["coup"] and continued.head.out_features == 1
    start = model.encoder.state_dict()
    assert all(np.allclose(start[k].float().numpy(), v.float().numpy(), atol=2e-3)
               for k, v in continued.encoder.state_dict().items())


def test_cli_continues_a_model_and_the_card_says_from_which(trained, tiny_encoder_dir, tmp_path,
                                                             capsys):
    from framescope.cli import main

    _, _, out = trained
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps({"text": e.text, "labels": e.labels}) + "\n"
                            for e in examples(1)), "utf-8")
    model_dir = tmp_path / "continued"
    assert main(["train", "--init-from", str(out), "--data", str(data), "--dev", str(data),
                 "--taxonomy", str(out / "taxonomy.yaml"), "--epochs", "1",
                 "--learning-rate", "1e-12", "--out", str(model_dir)]) == 0
    started = json.loads((model_dir / "metrics.json").read_text())["init_from"]
    assert started["path"] == str(out) and started["head"] == "kept"
    # a continued model is built on the encoder its starting model was built on
    assert model_record(model_dir)["base"] == model_record(out)["base"] == str(tiny_encoder_dir)
    assert f"Continued from the trained model `{out}`" in (model_dir / "README.md").read_text()
    assert main(["train", "--init-from", str(out), "--base", "minilm", "--data", str(data),
                 "--dev", str(data), "--out", str(tmp_path / "x")]) == 2
    assert "not both" in capsys.readouterr().err


def test_a_student_learns_what_its_teacher_knows(trained, tiny_encoder_dir):
    """Distillation: with the coup labels removed and the targets taken from the teacher
    alone (`teacher_weight=1`), the student still separates coup sentences from neutral ones."""
    _, _, teacher_dir = trained
    args = tiny_arguments(tiny_encoder_dir)
    args.teacher, args.teacher_weight = str(teacher_dir), 1.0
    args.max_pos_weight = 1.0  # positive weights would lift every soft target's level
    trainer = FramingTrainer(args)
    no_coup = [Example(e.text, [l for l in e.labels if l != "coup"]) for e in examples()]
    student = trainer.fit(no_coup, examples(1), TAXONOMY)
    texts, j = COUP + LAB + NONE, student.labels.index("coup")
    coup = student.predict_proba(texts)[:, j]
    assert coup[:len(COUP)].min() > coup[len(COUP):].max()
    assert np.abs(coup - load_model(teacher_dir).predict_proba(texts)[:, j]).max() < 0.1
    assert trainer.report["teacher"]["path"] == str(teacher_dir)
    assert trainer.report["teacher"]["weight"] == 1.0


def test_cli_distils_from_a_teacher_with_the_same_labels_only(trained, tmp_path, capsys):
    from framescope.cli import main

    _, _, teacher_dir = trained
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps({"text": e.text, "labels": e.labels}) + "\n"
                            for e in examples(1)), "utf-8")
    student = tmp_path / "student"
    assert main(["train", "--init-from", str(teacher_dir), "--teacher", str(teacher_dir),
                 "--teacher-weight", "0.3", "--data", str(data), "--dev", str(data),
                 "--taxonomy", str(teacher_dir / "taxonomy.yaml"), "--epochs", "1",
                 "--learning-rate", "1e-12", "--out", str(student)]) == 0
    card = (student / "README.md").read_text()
    assert f"Distilled from the teacher `{teacher_dir}`" in card
    assert "0.7 x its labels + 0.3 x the teacher's scores" in card

    other = tmp_path / "other.yaml"
    other.write_text("labels:\n  - name: coup\n    definition: A change of power is called a coup.\n")
    coup_only = tmp_path / "coup.jsonl"
    coup_only.write_text("".join(json.dumps({"text": t, "labels": ["coup"]}) + "\n"
                                 for t in COUP), "utf-8")
    assert main(["train", "--init-from", str(teacher_dir), "--teacher", str(teacher_dir),
                 "--data", str(coup_only), "--dev", str(coup_only), "--taxonomy", str(other),
                 "--epochs", "1", "--out", str(tmp_path / "y")]) == 2
    assert "has the labels" in capsys.readouterr().err
    assert main(["train", "--teacher-weight", "1.5", "--data", str(data), "--dev", str(data),
                 "--out", str(tmp_path / "z")]) == 2


class FixedScores:
    """A stand-in model with fixed scores for one label, to check how a cut is chosen."""

    labels = ["coup"]
    thresholds = {"coup": 0.5}

    def __init__(self, scores):
        self.scores = np.array(scores)[:, None]

    def predict_proba(self, texts):
        return self.scores


def test_calibration_keeps_the_lowest_cut_from_which_precision_holds():
    from framescope.train.calibration import recalibrate

    scores = [0.95, 0.92, 0.90, 0.85, 0.80, 0.70, 0.60, 0.55, 0.40, 0.35]
    truth = [1, 1, 1, 1, 0, 1, 0, 0, 0, 0]
    reviewed = [Example(f"s{i}", ["coup"] if t else []) for i, t in enumerate(truth)]
    # precision of flags from the top: 1, 1, 1, 1 (0.85), 0.8 (0.80), 0.83 (0.70), 0.71 (0.60)
    at_80 = recalibrate(FixedScores(scores), reviewed, min_precision=0.8)
    assert at_80["thresholds"] == {"coup": 0.625}
    assert at_80["after"]["flags"] == 6 and at_80["after"]["flag_precision"] == round(5 / 6, 4)
    assert at_80["before"]["flags"] == 8 and at_80["before"]["flag_precision"] == 0.625
    assert recalibrate(FixedScores(scores), reviewed, min_precision=0.9)["thresholds"] == {
        "coup": 0.825}
    with pytest.raises(ValueError, match="does not go with per_label"):
        recalibrate(FixedScores(scores), reviewed, min_precision=0.9, per_label=True)


def test_cli_calibrates_a_copy_of_the_model_on_reviewed_sentences(trained, tmp_path, capsys):
    from framescope.cli import main

    _, _, model_dir = trained
    reviewed = tmp_path / "reviewed.jsonl"
    rows = [{"id": str(i), "text": e.text, "labels": e.labels, "status": "reviewed",
             "why": ["flagged"] if i == 0 else ["random"]} for i, e in enumerate(examples(1))]
    reviewed.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    out = tmp_path / "calibrated"
    assert main(["calibrate", "--model", str(model_dir), "--data", str(reviewed),
                 "--out", str(out), "--min-precision", "0.9"]) == 0
    err = capsys.readouterr().err
    assert "1 of 12 reviewed sentences were chosen by a model" in err

    record = json.loads((out / "metrics.json").read_text())["recalibrated"]
    assert record["after"]["flag_precision"] >= 0.9
    assert load_model(out).thresholds == record["thresholds"]
    assert record["thresholds_before"] == load_model(model_dir).thresholds
    assert (out / "model.safetensors").read_bytes() == (model_dir / "model.safetensors").read_bytes()
    assert "## Thresholds recalibrated" in (out / "README.md").read_text()

    # The copy replaces --out whole: never a folder that holds the model, nor one of other files.
    for folder in (model_dir, model_dir.parent):
        assert main(["calibrate", "--model", str(model_dir), "--data", str(reviewed),
                     "--out", str(folder)]) == 2
        assert "which writing the model would delete" in capsys.readouterr().err
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "keep.txt").write_text("mine")
    assert main(["calibrate", "--model", str(model_dir), "--data", str(reviewed),
                 "--out", str(notes)]) == 2
    assert "not a framescope model" in capsys.readouterr().err
    assert (notes / "keep.txt").is_file() and (model_dir / "model.safetensors").is_file()
    assert main(["train", "--data", str(reviewed), "--dev", str(reviewed),
                 "--out", str(notes)]) == 2  # refused before any training
    assert "not a framescope model" in capsys.readouterr().err


def test_a_student_trained_from_saved_teacher_scores_equals_one_trained_from_the_teacher(
        trained, tiny_encoder_dir, tmp_path):
    """The scores file stands in for the teacher: same targets, so the same student."""
    _, _, teacher_dir = trained
    scores_file = tmp_path / "teacher_scores.json"

    def student(teacher, save=None):
        args = tiny_arguments(tiny_encoder_dir)
        args.epochs, args.teacher, args.save_teacher_scores = 2, str(teacher), save
        trainer = FramingTrainer(args)
        return trainer.fit(examples(), examples(1), TAXONOMY), trainer.report["teacher"]

    from_model, record = student(teacher_dir, save=str(scores_file))
    from_file, file_record = student(scores_file)
    assert "text" not in scores_file.read_text() and COUP[0] not in scores_file.read_text()
    assert file_record["sha256"] == record["sha256"]
    assert file_record["scores_file"] == str(scores_file)
    first, second = from_model.state_dict(), from_file.state_dict()
    assert all(torch.equal(first[k], second[k]) for k in first)

    with pytest.raises(ValueError, match="no teacher score for 1 of the 49 training sentences"):
        student_args = tiny_arguments(tiny_encoder_dir)
        student_args.teacher = str(scores_file)
        FramingTrainer(student_args).fit(examples() + [Example("A new sentence.", [])],
                                         examples(1), TAXONOMY)


def test_crossfit_keeps_each_document_in_one_fold_and_refuses_empty_folds():
    from framescope.train.data import crossfit_folds

    rows = [Example(f"Sentence {i} of article {doc}.", [], {"doc_id": doc})
            for doc in ("a1", "a2", "a3", "a4", "a5", "a6") for i in range(5)]
    folds = crossfit_folds(rows, 2)
    for doc in {r.extra["doc_id"] for r in rows}:
        assert len({f for r, f in zip(rows, folds) if r.extra["doc_id"] == doc}) == 1
    assert set(folds.tolist()) == {0, 1}
    assert (crossfit_folds(rows, 2) == folds).all()  # no seed: the same folds every run
    with pytest.raises(ValueError, match="too few documents"):
        crossfit_folds(rows[:5], 2)  # one article cannot fill two folds


@pytest.mark.parametrize("lexical_weight", [0.0, 0.5])
def test_crossfit_learns_from_dev_and_takes_thresholds_from_unseen_folds(tiny_encoder_dir,
                                                                          tmp_path, lexical_weight):
    """With `crossfit_dev`, the dev sentences are training data too. Here the training file has
    no coup sentence and dev has them, all in articles of one fold: the plain model cannot learn
    coup, the cross-fitted one does. The fold model that scores those articles never saw a coup
    sentence either, so the out-of-fold dev figures (model and baseline) miss every coup: they
    would not, were they the returned model's own (in-sample) scores. A blended model's dev
    scores are out of fold in both halves, encoder and lexical model."""
    from framescope.train.data import crossfit_folds

    docs = [f"article-{i}" for i in range(40)]
    folds = crossfit_folds([Example("x", [], {"doc_id": d}) for d in docs], 2)
    coup_docs = [d for d, f in zip(docs, folds) if f == 0][:4]
    other_docs = [d for d, f in zip(docs, folds) if f == 1][:4]
    train = [e for e in examples() if "coup" not in e.labels]
    dev = [Example(f"{text} Report {i}.", ["coup"], {"doc_id": coup_docs[i % 4]})
           for i, text in enumerate(COUP * 3)]
    dev += [Example(f"{text} Report {i}.", labels, {"doc_id": other_docs[i % 4]})
            for i, (text, labels) in enumerate([(t, ["biolab_threat"]) for t in LAB * 3]
                                               + [(t, []) for t in NONE * 3])]
    coup = ["Officers staged a coup overnight.", "The junta seized power in the capital."]

    plain_trainer = FramingTrainer(tiny_arguments(tiny_encoder_dir))
    plain = plain_trainer.fit(train, dev, TAXONOMY)
    args = tiny_arguments(tiny_encoder_dir)
    args.crossfit_dev, args.lexical_weight = 2, lexical_weight
    trainer = FramingTrainer(args)
    model = trainer.fit(train, dev, TAXONOMY)

    assert (model.lexical is not None) == (lexical_weight > 0)
    assert (model.predict_proba(coup)[:, 0] > 0.5).all()
    assert (plain.predict_proba(coup)[:, 0] < 0.5).all()
    assert trainer.report["dev"]["per_label"]["coup"]["recall"] == 0.0
    assert trainer.report["baseline_dev"]["per_label"]["coup"]["recall"] == 0.0
    # the TF-IDF baseline beside it is cross-fitted too, so both learn from the same sentences
    assert (trainer.baseline.predict_proba(coup)[:, 0] > 0).all()
    assert (plain_trainer.baseline.predict_proba(coup)[:, 0] == 0).all()
    report = trainer.report["crossfit_dev"]
    assert report["fold_sizes"] == [12, 24] and trainer.report["best_epoch"] is None
    assert trainer.report["train_examples"] == len(train) + len(dev)
    trainer.save(model, tmp_path / "crossfit", data_files={"train": "in-memory"})
    card = (tmp_path / "crossfit" / "README.md").read_text()
    assert "Cross-fitted on dev (`--crossfit-dev 2`)" in card and "early stopping on dev" not in card
    with pytest.raises(ValueError, match="crossfit_dev"):
        TrainingArguments(crossfit_dev=1)
    with pytest.raises(ValueError, match="teacher"):
        TrainingArguments(crossfit_dev=2, teacher="models/default")


def test_training_data_mistakes_are_named_with_file_and_line(tmp_path):
    """Each of these was once read silently wrong or failed without saying where."""
    def read(name, content):
        path = tmp_path / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return read_examples(path, TAXONOMY)

    with pytest.raises(DataError, match=r"w.jsonl:line 1: 'weight' must be a number of at least 0"):
        read("w.jsonl", '{"text": "A coup.", "labels": ["coup"], "weight": null}\n')
    with pytest.raises(DataError, match=r"n.jsonl:line 1: 'weight'"):
        read("n.jsonl", '{"text": "A coup.", "labels": ["coup"], "weight": NaN}\n')
    with pytest.raises(DataError, match=r"q.csv:line \d: not valid CSV"):
        read("q.csv", 'text,labels\n"unterminated,coup\nnext,coup\n')
    with pytest.raises(DataError, match=r"c.csv:line 2: fewer cells than the header"):
        read("c.csv", "text,labels\nno labels cell\n")
    with pytest.raises(DataError, match=r"u.csv: not valid UTF-8"):
        read("u.csv", b"text,labels\nbad \xff,coup\n")
    # A byte-order mark from Excel or Notepad is not part of the first field.
    assert read("b.csv", "\ufefftext,labels\nA coup.,coup\n")[0].labels == ["coup"]
    assert read("b.jsonl", '\ufeff{"text": "A coup.", "labels": ["coup"]}\n')[0].labels == ["coup"]


def test_sentences_of_document_0_stay_in_one_fold():
    from framescope.train.data import crossfit_folds

    sentences = [Example(f"Sentence {i}.", [], {"doc_id": 0}) for i in range(6)]
    sentences += [Example(f"Other {i}.", [], {"doc_id": i}) for i in range(1, 9)]
    assert len(set(crossfit_folds(sentences, 2)[:6].tolist())) == 1


def test_a_teacher_scores_file_of_the_wrong_shape_is_refused(tmp_path):
    from framescope.train.teacher import sentence_sha1, teacher_scores

    file = tmp_path / "scores.json"
    file.write_text(json.dumps({"labels": TAXONOMY.names, "teacher": {},
                                "scores": {sentence_sha1("A coup."): [7.0]}}))
    size = len(TAXONOMY.names)
    with pytest.raises(ValueError, match=f"scores.json: each score must be a list of {size} numbers"):
        teacher_scores(file, ["A coup."], TAXONOMY.names)


def test_training_refuses_data_without_any_label():
    with pytest.raises(ValueError, match="the dev file has no sentence with a label"):
        FramingTrainer(TrainingArguments()).fit(examples(), [Example("Quiet.", [])], TAXONOMY)
    with pytest.raises(ValueError, match="the training file has no sentence with a label"):
        FramingTrainer(TrainingArguments()).fit([Example("Quiet.", [])], examples(), TAXONOMY)


def test_a_model_can_be_continued_in_place(trained, tmp_path):
    """`--init-from X --out X` (and its own taxonomy): read before the folder is replaced."""
    import shutil

    from framescope.cli import main

    model_dir = tmp_path / "mine"
    shutil.copytree(trained[2], model_dir)
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps({"text": e.text, "labels": e.labels}) + "\n"
                            for e in examples(1)))
    before = (model_dir / "model.safetensors").read_bytes()
    assert main(["train", "--data", str(data), "--dev", str(data), "--init-from", str(model_dir),
                 "--out", str(model_dir), "--taxonomy", str(model_dir / "taxonomy.yaml"),
                 "--epochs", "1", "--threads", "1"]) == 0
    assert (model_dir / "model.safetensors").read_bytes() != before
    assert load_model(model_dir).labels == TAXONOMY.names
