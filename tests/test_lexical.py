"""A blended model: the fine-tuned encoder's scores mixed with a TF-IDF + logistic-regression
model's, which the model folder keeps without pickle and scores without scikit-learn."""

import json

import numpy as np
import pytest

from framescope import load_model, predict
from framescope.inference.lexical import LexicalScorer
from framescope.inference.modeling import ModelFolderError
from framescope.train.baseline import TfidfBaseline
from framescope.train.trainer import FramingTrainer
from .test_training import COUP, LAB, NONE, TAXONOMY, examples, tiny_arguments

TEXTS = COUP + LAB + NONE + ["A coup, a coup: the junta's putsch!", "", "Ünïcode wörds here, 2022.",
                             "laboratories laboratories laboratories"]


def test_lexical_scorer_reproduces_scikit_learn():
    labels = ["coup", "biolab_threat", "unseen"]
    rows = examples()
    y = np.array([[l in e.labels for l in labels] for e in rows], dtype=int)
    baseline = TfidfBaseline(labels).fit([e.text for e in rows], y)
    scorer = baseline.to_lexical()
    expected = baseline.predict_proba(TEXTS)
    assert np.abs(scorer.predict_proba(TEXTS) - expected).max() < 2e-3  # float16 coefficients
    assert (scorer.predict_proba(TEXTS)[:, 2] < 1e-6).all()  # a label it never saw scores 0


def test_scorer_refuses_mismatched_arrays():
    with pytest.raises(ValueError, match="shapes do not fit"):
        LexicalScorer(["a", "b"], np.ones(2), np.ones((1, 3)), np.zeros(1))
    with pytest.raises(ValueError, match="NaN or infinite"):
        LexicalScorer(["a"], np.ones(1), np.full((1, 1), np.nan), np.zeros(1))


@pytest.fixture(scope="module")
def blended(tiny_encoder_dir, tmp_path_factory):
    args = tiny_arguments(tiny_encoder_dir)
    args.epochs, args.lexical_weight = 4, 0.5
    trainer = FramingTrainer(args)
    model = trainer.fit(examples(), examples(1), TAXONOMY)
    out = tmp_path_factory.mktemp("blended")
    trainer.save(model, out, data_files={"train": "in-memory"})
    return trainer, model, out


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
    assert "--lexical-weight 0.5" in (out / "README.md").read_text()


def test_blended_folder_round_trips_and_predicts_spans(blended):
    _, model, out = blended
    assert json.loads((out / "framescope.json").read_text())["lexical_weight"] == 0.5
    assert (out / "lexical.safetensors").is_file() and (out / "lexical_vocabulary.json").is_file()
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
    (broken / "lexical_vocabulary.json").write_text('["only one term"]', "utf-8")
    with pytest.raises(ModelFolderError, match="lexical.safetensors.*shapes do not fit"):
        load_model(broken)
    (broken / "lexical.safetensors").unlink()
    with pytest.raises(ModelFolderError, match="sets lexical_weight"):
        load_model(broken)
    settings = json.loads((out / "framescope.json").read_text())
    (broken / "framescope.json").write_text(json.dumps({**settings, "lexical_weight": 1.5}))
    with pytest.raises(ModelFolderError, match="lexical_weight"):
        load_model(broken)
