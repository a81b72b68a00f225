"""A blended model: the fine-tuned encoder's scores mixed with a TF-IDF + logistic-regression
model's, which the model folder keeps without pickle and scores without scikit-learn."""

import json

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file

from framescope import load_model, predict
from framescope.inference.lexical import LexicalScorer
from framescope.inference.modeling import ModelFolderError
from framescope.train.baseline import TfidfBaseline
from framescope.train.teacher import teacher_scores
from .test_training import COUP, LAB, NONE, examples, tiny_arguments, train_and_save

TEXTS = COUP + LAB + NONE + ["A coup, a coup: the junta's putsch!", "", "  ", "?!...", "_ _a_ b",
                             "Ünïcode wörds İstanbul ΣΊΣΥΦΟΣ straße 2022.", "junta\u200bseized",
                             "laboratories " * 500, "The JUNTA Seized Power In The Capital."]


def test_lexical_scorer_reproduces_scikit_learn():
    labels = ["coup", "biolab_threat", "unseen"]
    rows = examples()
    y = np.array([[l in e.labels for l in labels] for e in rows], dtype=int)
    baseline = TfidfBaseline(labels).fit([e.text for e in rows], y)
    scorer = baseline.to_lexical()
    expected = baseline.predict_proba(TEXTS)
    assert np.abs(scorer.predict_proba(TEXTS) - expected).max() < 2e-3  # float16 coefficients
    assert (scorer.predict_proba(TEXTS)[:, 2] < 1e-6).all()  # a label it never saw scores 0


def test_a_label_every_sentence_has_scores_1_as_in_scikit_learn():
    rows = examples()
    y = np.array([[1, "coup" in e.labels] for e in rows])
    baseline = TfidfBaseline(["always", "coup"]).fit([e.text for e in rows], y)
    assert np.abs(baseline.to_lexical().predict_proba(TEXTS) - baseline.predict_proba(TEXTS)).max() < 2e-3


def test_the_stored_vocabulary_is_hashed_not_text(blended):
    _, _, out = blended
    stored = (out / "lexical.safetensors").read_bytes()
    assert b"junta" not in stored and b"laboratory" not in stored


def test_scorer_refuses_mismatched_arrays():
    with pytest.raises(ValueError, match="shapes do not fit"):
        LexicalScorer.from_vocabulary(["a", "b"], np.ones(2), np.ones((1, 3)), np.zeros(1))
    with pytest.raises(ValueError, match="NaN or infinite"):
        LexicalScorer.from_vocabulary(["a"], np.ones(1), np.full((1, 1), np.nan), np.zeros(1))
    with pytest.raises(ValueError, match="too large for float16"):
        LexicalScorer.from_vocabulary(["a"], np.ones(1), np.full((1, 1), 1e6), np.zeros(1))
    with pytest.raises(ValueError, match="repeats a term"):
        LexicalScorer.from_vocabulary(["a", "a"], np.ones(2), np.ones((1, 2)), np.zeros(1))


@pytest.fixture(scope="module")
def blended(tiny_encoder_dir, tmp_path_factory):
    args = tiny_arguments(tiny_encoder_dir)
    args.epochs, args.lexical_weight = 4, 0.5
    return train_and_save(args, tmp_path_factory.mktemp("blended"))


def test_blended_model_mixes_encoder_and_lexical_scores(blended):
    trainer, model, out = blended
    assert model.settings.lexical_weight == 0.5
    lexical = model.lexical.predict_proba(TEXTS)
    assert np.abs(lexical - trainer.baseline.predict_proba(TEXTS)).max() < 2e-3
    model.set_lexical(None, 0)
    encoder = model.predict_proba(TEXTS)
    model.set_lexical(LexicalScorer.load(out, 2), 0.5)
    assert np.allclose(model.predict_proba(TEXTS), 0.5 * encoder + 0.5 * lexical, atol=1e-5)
    assert trainer.report["lexical_weight"] == 0.5 and "dev_encoder_alone" in trainer.report
    with pytest.raises(ValueError, match="needs a lexical scorer"):
        model.set_lexical(None, 0.5)


def test_a_blended_teacher_teaches_with_its_encoder_alone(blended):
    _, model, out = blended
    scores, record = teacher_scores(out, TEXTS, model.labels)
    encoder_alone = load_model(out, precision="fp32").set_lexical(None, 0).predict_proba(TEXTS)
    assert np.allclose(scores, encoder_alone, atol=1e-3)
    assert "left out" in record["lexical_half"]
    assert "--lexical-weight 0.5" in (out / "README.md").read_text()


def test_blended_folder_round_trips_and_predicts_spans(blended):
    _, model, out = blended
    assert json.loads((out / "framescope.json").read_text())["lexical_weight"] == 0.5
    assert sorted(p.name for p in out.glob("lexical*")) == ["lexical.safetensors"]
    loaded = load_model(out, precision="fp32")
    assert loaded.lexical is not None
    assert np.allclose(loaded.predict_proba(TEXTS), model.predict_proba(TEXTS), atol=2e-3)
    spans = predict("Officers staged a coup overnight. The museum opens at nine.", model=loaded,
                    threshold=0.5)
    assert [s.label for s in spans] == ["coup"] and spans[0].start == 0


def test_broken_lexical_files_name_the_file(blended, tmp_path):
    _, _, out = blended
    import shutil
    broken = tmp_path / "broken"
    shutil.copytree(out, broken)
    tensors = load_file(str(out / "lexical.safetensors"))
    save_file({**tensors, "terms": tensors["terms"][:1]}, str(broken / "lexical.safetensors"))
    with pytest.raises(ModelFolderError, match="lexical.safetensors: shapes do not fit"):
        load_model(broken)
    (broken / "lexical.safetensors").write_bytes(b"not safetensors")
    with pytest.raises(ModelFolderError, match="lexical.safetensors: not a readable"):
        load_model(broken)
    (broken / "lexical.safetensors").unlink()
    with pytest.raises(ModelFolderError, match="sets lexical_weight"):
        load_model(broken)
    settings = json.loads((out / "framescope.json").read_text())
    (broken / "framescope.json").write_text(json.dumps({**settings, "lexical_weight": 1.5}))
    with pytest.raises(ModelFolderError, match="lexical_weight"):
        load_model(broken)
