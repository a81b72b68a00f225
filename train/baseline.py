"""The yardstick: TF-IDF + logistic regression, one binary classifier per label.

Every evaluation report shows it beside the transformer, so a model that only learned keywords
is visible as such.
"""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline

from framescope.inference.lexical import LexicalScorer

__all__ = ["TfidfBaseline"]

# The vectorizer's settings, which `LexicalScorer` re-implements in numpy for inference.
LEXICAL_VECTORIZER = {"analyzer": "word", "lowercase": True, "token_pattern": r"(?u)\b\w\w+\b",
                      "ngram_range": (1, 2), "sublinear_tf": True, "norm": "l2", "use_idf": True,
                      "smooth_idf": True, "stop_words": None, "strip_accents": None,
                      "preprocessor": None, "tokenizer": None, "binary": False}


class TfidfBaseline:
    """`fit(texts, Y)` / `predict_proba(texts)`, with per-label thresholds like the model."""

    def __init__(self, labels: list[str], seed: int = 13) -> None:
        self.labels = labels
        self.thresholds: dict[str, float] = {label: 0.5 for label in labels}
        self.pipeline = make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
            OneVsRestClassifier(
                LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000, random_state=seed)
            ),
        )

    def fit(self, texts: list[str], y: np.ndarray) -> "TfidfBaseline":
        # A label with no positives cannot be fitted; give it one all-zero column that sklearn
        # accepts by training only on labels that occur.
        self._present = y.any(axis=0)
        self.pipeline.fit(texts, y[:, self._present])
        return self

    def to_lexical(self) -> LexicalScorer:
        """The fitted baseline as the scorer a blended model carries (numpy only, no pickle).
        A label it had no positives for scores 0, as here; one that every sentence had, 1."""
        vectorizer, classifier = self.pipeline[0], self.pipeline[1]
        settings = {k: vectorizer.get_params()[k] for k in LEXICAL_VECTORIZER}
        if settings != LEXICAL_VECTORIZER:  # LexicalScorer re-implements exactly these
            raise ValueError(f"the vectorizer's settings {settings} are not the ones "
                             f"LexicalScorer computes: {LEXICAL_VECTORIZER}")
        vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
        coef = np.zeros((len(self.labels), len(vocabulary)), dtype=np.float32)
        intercept = np.full(len(self.labels), -50.0, dtype=np.float32)  # sigmoid(-50) ~ 0
        rows = np.flatnonzero(self._present)
        for row, estimator in zip(rows, classifier.estimators_):
            if hasattr(estimator, "coef_"):
                coef[row], intercept[row] = estimator.coef_[0], estimator.intercept_[0]
            else:  # sklearn's constant predictor, for a label every training sentence has
                intercept[row] = 50.0 if np.ravel(estimator.y_)[0] else -50.0
        return LexicalScorer.from_vocabulary(vocabulary, vectorizer.idf_, coef, intercept)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        scores = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        probabilities = self.pipeline.predict_proba(texts)
        if self._present.sum() == 1 and probabilities.shape[1] == 2:
            probabilities = probabilities[:, 1:]  # one label: sklearn fits it as binary (P(0), P(1))
        scores[:, self._present] = probabilities
        return scores
