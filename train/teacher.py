"""A teacher's scores on the training sentences, for distillation (`framescope train --teacher`).

The teacher is a larger trained framescope model, or a file of its scores written earlier with
`--save-teacher-scores`. The file lets a small model be retrained from a large one without the
large one: all-mpnet-base-v2 takes over an hour of CPU to train, its scores a few megabytes to
keep. Sentences are keyed by a hash of their text, so a file holds no text (PTC articles stay
out of the repository) and still matches the same sentences after a rebuild of the data.

Scores are rounded to 4 decimals in both cases, so a model trained from the file and one trained
from the teacher itself get the same targets.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from framescope.inference.guards import fingerprint, write_atomically
from framescope.inference.modeling import MODEL_FILE, FramingModel

from .real_text import sentence_sha1

__all__ = ["teacher_scores", "save_teacher_scores", "model_record"]


def teacher_scores(teacher: str | Path, texts: list[str], labels: list[str]
                   ) -> tuple[np.ndarray, dict]:
    """Scores of `texts` from a teacher model folder or scores file, and a record of the
    teacher (path, sha256 of its weights or file, the encoder it was built on)."""
    path = Path(teacher)
    if path.is_file():
        try:
            stored = json.loads(path.read_text("utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise ValueError(f"{path}: not a teacher scores file ({error})") from None
        if not isinstance(stored, dict) or not isinstance(stored.get("scores"), dict):
            raise ValueError(f"{path}: not a teacher scores file (no 'scores' object)")
        _same_labels(path, stored.get("labels"), labels)
        found, keys = stored["scores"], [sentence_sha1(t) for t in texts]
        missing = [t for t, key in zip(texts, keys) if key not in found]
        if missing:
            raise ValueError(f"{path}: no teacher score for {len(missing)} of the {len(texts)} "
                             f"training sentences, e.g. {missing[0][:80]!r}; write the file "
                             "again from the teacher")
        try:
            scores = np.array([found[key] for key in keys], dtype=np.float64)
        except (TypeError, ValueError):
            scores = None
        if (scores is None or scores.shape != (len(texts), len(labels))
                or not np.all((scores >= 0) & (scores <= 1))):  # NaN fails this too
            raise ValueError(f"{path}: each score must be a list of {len(labels)} numbers in "
                             "[0, 1], one per label")
        return scores, {**stored["teacher"], "scores_file": str(path),
                        "scores_file_sha256": fingerprint(path)["sha256"]}
    model = FramingModel.from_pretrained(path)
    _same_labels(path, model.labels, labels)
    # A blended teacher teaches with its encoder alone: its lexical half has usually been
    # fitted on these very sentences, so its scores of them are near-copies of the labels.
    record = model_record(path)
    if model.lexical is not None:
        record["lexical_half"] = "left out (blended teacher scored with its encoder alone)"
        model.set_lexical(None, 0)
    scores = np.round(model.predict_proba(texts).astype(np.float64), 4)
    return scores, record


def save_teacher_scores(file: str | Path, texts: list[str], scores: np.ndarray,
                        labels: list[str], record: dict) -> None:
    """Write the scores keyed by sentence hash (no text), atomically."""
    body = {"labels": labels, "teacher": record,
            "scores": {sentence_sha1(t): [float(x) for x in row] for t, row in zip(texts, scores)}}
    write_atomically(Path(file), json.dumps(body, separators=(",", ":")) + "\n")


def model_record(path: Path) -> dict:
    """Which saved model this is, for metrics and card: its path, the sha256 of its weights,
    and the encoder it was built on."""
    return {"path": str(path), "sha256": fingerprint(path / MODEL_FILE)["sha256"],
            "base": _base_encoder(path)}


def _base_encoder(path: Path) -> str | None:
    """The encoder a saved model was built on; for a continued model (`init_from`), the one its
    starting model was built on, as its metrics recorded it."""
    arguments_file, metrics_file = path / "training_args.json", path / "metrics.json"
    if not arguments_file.is_file():
        return None
    arguments = json.loads(arguments_file.read_text("utf-8"))["arguments"]
    if arguments.get("init_from") and metrics_file.is_file():
        return json.loads(metrics_file.read_text("utf-8")).get("init_from", {}).get("base")
    return arguments.get("base")


def _same_labels(path: Path, theirs, ours: list[str]) -> None:
    if theirs != ours:
        raise ValueError(f"teacher {path} has the labels {theirs}, not the taxonomy's {ours}")
