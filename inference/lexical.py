"""The lexical half of a blended model: TF-IDF word 1-2-grams and one logistic regression per
label, scored in numpy.

Why a model carries one: on real text the fine-tuned encoder and a TF-IDF + logistic-regression
model are about equally good and wrong in different places (the encoder reads framings phrased
in new words; the lexical model remembers the recurring wording of a narrative, and one story
retold across outlets). Their mean, with a cut chosen on held-out sentences, beat either alone
on the default model's real-text dev split (data/README.md, "Run 10"). The training side
(`framescope train --lexical-weight`) fits it with scikit-learn; scoring needs no scikit-learn
and no pickle. A model folder keeps it in one file, `lexical.safetensors`:

    terms      (vocabulary,) uint64   a hash of each 1-2-gram, not the text: the vocabulary
                                      comes from the training sentences, and some of those
                                      (the PTC articles) may not be redistributed
    idf        (vocabulary,)
    coef       (labels, vocabulary)   float16
    intercept  (labels,)

Scores equal scikit-learn's `TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)` (default
lowercasing and token pattern, l2 norm) followed by `LogisticRegression.predict_proba`
(tests/test_lexical.py checks it), up to the float16 the coefficients are stored in.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path
from typing import Sequence

import numpy as np
from safetensors.numpy import load_file, save_file

__all__ = ["LexicalScorer", "LEXICAL_FILE", "blend", "term_hash"]

LEXICAL_FILE = "lexical.safetensors"
_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token_pattern


def blend(encoder_scores: np.ndarray, lexical_scores: np.ndarray, weight: float) -> np.ndarray:
    """A blended model's scores: `(1 - weight) * encoder + weight * lexical`, as float32."""
    return ((1 - weight) * encoder_scores + weight * lexical_scores).astype(np.float32)


def term_hash(term: str) -> int:
    """The 64-bit hash a vocabulary term is stored as (BLAKE2b; collisions are negligible
    at this size)."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8", "surrogatepass"),
                                          digest_size=8).digest(), "little")


def word_grams(text: str) -> list[str]:
    """Lowercased word unigrams and bigrams, as scikit-learn's default analyzer makes them."""
    tokens = _TOKEN.findall(text.lower())
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]


class LexicalScorer:
    """`predict_proba(texts)`: one logistic-regression probability per label from TF-IDF
    features (lowercased word unigrams and bigrams, sublinear term frequency, l2-normalised)."""

    def __init__(self, terms: np.ndarray, idf: np.ndarray, coef: np.ndarray,
                 intercept: np.ndarray) -> None:
        """`terms`: the vocabulary as `term_hash` values, in column order (`from_vocabulary`
        takes the terms themselves)."""
        self.terms = np.asarray(terms, dtype=np.uint64)
        self.column = {int(h): column for column, h in enumerate(self.terms)}
        self.idf = np.asarray(idf, dtype=np.float32)
        # float16, as saved: a model scores the same before and after a save.
        with np.errstate(over="ignore"):
            self.coef = np.asarray(coef, dtype=np.float16).astype(np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        if self.coef.ndim != 2:
            raise ValueError(f"coef must be (labels, vocabulary), not of shape {self.coef.shape}")
        n_labels, n_terms = self.coef.shape
        if self.terms.shape != (n_terms,) or self.idf.shape != (n_terms,) \
                or self.intercept.shape != (n_labels,):
            raise ValueError(f"shapes do not fit: terms {self.terms.shape}, idf "
                             f"{self.idf.shape}, coef {self.coef.shape}, intercept {self.intercept.shape}")
        if len(self.column) != n_terms:
            raise ValueError("the vocabulary repeats a term")
        if not np.isfinite(np.asarray(coef, dtype=np.float64)).all() \
                or not all(np.isfinite(a).all() for a in (self.idf, self.intercept)):
            raise ValueError("idf, coef or intercept holds NaN or infinite values")
        if not np.isfinite(self.coef).all():
            raise ValueError("coef holds values too large for float16")

    @classmethod
    def from_vocabulary(cls, vocabulary: Sequence[str], idf, coef, intercept) -> "LexicalScorer":
        return cls(np.array([term_hash(t) for t in vocabulary], dtype=np.uint64), idf, coef, intercept)

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
        found = (self.column.get(term_hash(g)) for g in word_grams(text))
        counts = Counter(c for c in found if c is not None)
        columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
        values = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))
        values *= self.idf[columns]
        norm = np.sqrt((values ** 2).sum())
        return columns, values / norm if norm else values

    # -- the folder format -------------------------------------------------------------

    def save(self, folder: str | Path) -> None:
        save_file({"terms": self.terms, "idf": self.idf, "coef": self.coef.astype(np.float16),
                   "intercept": self.intercept}, str(Path(folder) / LEXICAL_FILE))

    @classmethod
    def load(cls, folder: str | Path, n_labels: int) -> "LexicalScorer":
        """Read it from a model folder; a `ValueError` names the file and what is wrong."""
        file = Path(folder) / LEXICAL_FILE
        try:
            tensors = load_file(str(file))
        except Exception as error:  # safetensors' own error type, or OSError
            raise ValueError(f"{file}: not a readable safetensors file ({error})") from None
        needed = {"terms", "idf", "coef", "intercept"}
        if set(tensors) != needed:
            raise ValueError(f"{file}: needs {', '.join(sorted(needed))}; has {', '.join(sorted(tensors))}")
        if tensors["terms"].dtype != np.uint64:
            raise ValueError(f"{file}: terms must be uint64 hashes, not {tensors['terms'].dtype}")
        try:
            scorer = cls(*(tensors[k] for k in ("terms", "idf", "coef", "intercept")))
        except ValueError as error:
            raise ValueError(f"{file}: {error}") from None
        if scorer.n_labels != n_labels:
            raise ValueError(f"{file}: scores {scorer.n_labels} labels, the model has {n_labels}")
        return scorer
