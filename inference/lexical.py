"""The lexical half of a blended model: TF-IDF word 1-2-grams and one logistic regression per
label, scored in numpy.

Why a model carries one: on real text the fine-tuned encoder and a TF-IDF + logistic-regression
model are about equally good and wrong in different places (the encoder reads framings phrased
in new words; the lexical model remembers the recurring wording of a narrative, and one story
retold across outlets). Their mean, with a cut chosen on held-out sentences, beat either alone
on the default model's real-text dev split (data/README.md, "Run 10"). The training side
(`framescope train --lexical-weight`) fits it with scikit-learn; scoring needs no scikit-learn
and no pickle: a model folder keeps it as

    lexical.safetensors        idf (vocabulary,), coef (labels, vocabulary), intercept (labels,)
    lexical_vocabulary.json    the vocabulary, in column order

Scores equal scikit-learn's `TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)` followed
by `LogisticRegression.predict_proba` (tests/test_lexical.py checks it), up to the float16 the
coefficients are stored in.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from safetensors.torch import load_file, save_file

__all__ = ["LexicalScorer", "LEXICAL_FILE", "VOCABULARY_FILE"]

LEXICAL_FILE = "lexical.safetensors"
VOCABULARY_FILE = "lexical_vocabulary.json"
_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token_pattern


class LexicalScorer:
    """`predict_proba(texts)`: one logistic-regression probability per label from TF-IDF
    features (lowercased word unigrams and bigrams, sublinear term frequency, l2-normalised)."""

    def __init__(self, vocabulary: Sequence[str], idf: np.ndarray, coef: np.ndarray,
                 intercept: np.ndarray) -> None:
        self.vocabulary = list(vocabulary)
        self.index = {term: column for column, term in enumerate(self.vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float32)
        # float16, as saved: a model scores the same before and after a save.
        self.coef = np.asarray(coef, dtype=np.float16).astype(np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        n_labels, n_terms = self.coef.shape
        if len(self.index) != len(self.vocabulary):
            raise ValueError("the vocabulary repeats a term")
        if self.idf.shape != (n_terms,) or len(self.vocabulary) != n_terms or self.intercept.shape != (n_labels,):
            raise ValueError(f"shapes do not fit: vocabulary {len(self.vocabulary)}, idf "
                             f"{self.idf.shape}, coef {self.coef.shape}, intercept {self.intercept.shape}")
        if not all(np.isfinite(a).all() for a in (self.idf, self.coef, self.intercept)):
            raise ValueError("idf, coef or intercept holds NaN or infinite values")

    @property
    def n_labels(self) -> int:
        return self.coef.shape[0]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Scores in [0, 1], shape `(len(texts), n_labels)`."""
        logits = np.tile(self.intercept, (len(texts), 1))
        for row, text in enumerate(texts):
            columns, values = self._features(text)
            if len(columns):
                logits[row] += self.coef[:, columns] @ values
        return (1.0 / (1.0 + np.exp(-logits))).astype(np.float32)

    def _features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        tokens = _TOKEN.findall(text.lower())
        grams = tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]
        counts = Counter(self.index[g] for g in grams if g in self.index)
        columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts))))
        values *= self.idf[columns]
        norm = np.sqrt((values ** 2).sum())
        return columns, values / norm if norm else values

    # -- the folder format -------------------------------------------------------------

    def save(self, folder: str | Path) -> None:
        folder = Path(folder)
        save_file({"idf": torch.from_numpy(self.idf),
                   "coef": torch.from_numpy(self.coef).to(torch.float16),
                   "intercept": torch.from_numpy(self.intercept)}, str(folder / LEXICAL_FILE))
        (folder / VOCABULARY_FILE).write_text(json.dumps(self.vocabulary, ensure_ascii=False), "utf-8")

    @classmethod
    def load(cls, folder: str | Path, n_labels: int) -> "LexicalScorer":
        """Read it from a model folder; a `ValueError` names the file and what is wrong."""
        folder = Path(folder)
        try:
            tensors = load_file(str(folder / LEXICAL_FILE))
            vocabulary = json.loads((folder / VOCABULARY_FILE).read_text("utf-8"))
        except Exception as error:  # safetensors' own error type, OSError, JSON errors
            raise ValueError(f"{folder}: cannot read {LEXICAL_FILE} / {VOCABULARY_FILE} ({error})") from None
        if set(tensors) != {"idf", "coef", "intercept"}:
            raise ValueError(f"{folder / LEXICAL_FILE}: needs idf, coef and intercept, has {sorted(tensors)}")
        if not isinstance(vocabulary, list) or not all(isinstance(t, str) for t in vocabulary):
            raise ValueError(f"{folder / VOCABULARY_FILE}: must be a list of terms")
        try:
            scorer = cls(vocabulary, *(tensors[k].float().numpy() for k in ("idf", "coef", "intercept")))
        except ValueError as error:
            raise ValueError(f"{folder / LEXICAL_FILE}: {error}") from None
        if scorer.n_labels != n_labels:
            raise ValueError(f"{folder / LEXICAL_FILE}: scores {scorer.n_labels} labels, the model has {n_labels}")
        return scorer
