"""The framing model: a transformer encoder, mean pooling and one sigmoid output per label.

One class, `FramingModel`, in the manner of setfit's `SetFitModel`: `from_pretrained` /
`save_pretrained` for the folder format, `predict_proba` for sentence scores and `predict` for
scored spans. The training code (`train/`) builds and fits it; inference needs nothing from there.

A saved model is a plain folder:

    model.safetensors   weights (encoder + head), loaded with safetensors only
    config.json         the encoder's Hugging Face config (architecture, no weights)
    tokenizer.json ...  the tokenizer
    framescope.json     labels, thresholds, pooling, max_length, lexical_weight
    taxonomy.yaml       the labels and what each one means
    lexical.safetensors a blended model's TF-IDF + logistic-regression half (see lexical.py)
    README.md           the model card

Loading a folder never runs code from it: weights come through safetensors only (never
pickle), `trust_remote_code` is False everywhere, `config.json` must name a model type that
transformers itself ships, and an `auto_map` (the hook for custom code) in `config.json` or
`tokenizer_config.json` is refused before transformers reads the folder, so it never gets to
ask "Do you wish to run the custom code?". `framescope.json` and the weights are validated, and
every problem is a `ModelFolderError` that names the file.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, NamedTuple, Sequence

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from torch import nn

from .lexical import LEXICAL_FILE, LexicalScorer, blend
from .taxonomy import LABEL_NAME, Taxonomy

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a model hub
from transformers import AutoConfig, AutoModel, AutoTokenizer, PreTrainedTokenizerBase  # noqa: E402

__all__ = ["FramingModel", "EncodedBatch", "ModelSettings", "ModelFolderError", "MODEL_FILE", "SETTINGS_FILE",
           "normalise_for_model", "check_encoder_folder"]

# Typographic characters the tokenizer would split into rarer tokens than their ASCII forms:
# "coup d’etat" and "coup d'etat" should read the same. Applied to what the encoder sees only;
# spans keep the original text and offsets.
_TYPOGRAPHY = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"',
                             "„": '"', "‟": '"', "«": '"', "»": '"', "–": "-", "—": "-",
                             "‐": "-", "−": "-", "\u00a0": " ", "…": "..."})


_SURROGATE = re.compile("[\ud800-\udfff]")


def normalise_for_model(text: str) -> str:
    """What the encoder reads: ASCII forms of typography, and U+FFFD for a lone surrogate
    (a Python string may hold one; the Rust tokenizer cannot). Same length, so offsets hold."""
    return _SURROGATE.sub("\ufffd", text.translate(_TYPOGRAPHY))


class ModelFolderError(ValueError):
    """A model folder that cannot be loaded safely; the message names the file and the problem."""


def _read_json_object(path: Path) -> dict:
    try:
        value = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ModelFolderError(f"{path}: missing") from None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ModelFolderError(f"{path}: not readable JSON ({error})") from None
    if not isinstance(value, dict):
        raise ModelFolderError(f"{path}: expected a JSON object, got {type(value).__name__}")
    return value


def check_encoder_folder(path: str | Path) -> None:
    """Refuse a Hugging Face folder whose loading could run code or would need to.

    `model_type` must be one transformers ships (its CONFIG_MAPPING), and neither
    `config.json` nor `tokenizer_config.json` may carry an `auto_map`.
    """
    from transformers import CONFIG_MAPPING

    path = Path(path)
    config = _read_json_object(path / "config.json")
    model_type = config.get("model_type")
    if not isinstance(model_type, str) or model_type not in CONFIG_MAPPING:
        raise ModelFolderError(f"{path / 'config.json'}: model_type {model_type!r} is not one "
                               "that transformers ships; framescope never runs a model's own code")
    for name in ("config.json", "tokenizer_config.json"):
        file = path / name
        if file.is_file() and "auto_map" in _read_json_object(file):
            raise ModelFolderError(f"{file}: has an auto_map (custom code); framescope never "
                                   "runs code from a model folder")

MODEL_FILE = "model.safetensors"
SETTINGS_FILE = "framescope.json"
TAXONOMY_FILE = "taxonomy.yaml"


@dataclass
class ModelSettings:
    """What, beyond the encoder, defines a framing model. Saved as `framescope.json`."""

    labels: list[str]
    thresholds: dict[str, float] = field(default_factory=dict)
    max_length: int = 128
    window_stride: int = 32
    pooling: str = "mean"
    # A blended model scores (1 - w) * encoder + w * lexical model; 0 means the encoder alone.
    lexical_weight: float = 0.0

    def threshold(self, label: str) -> float:
        return self.thresholds.get(label, 0.5)

    @classmethod
    def load(cls, model_dir: str | Path) -> "ModelSettings":
        """Read and validate `framescope.json`; a `ModelFolderError` names what is wrong."""
        path = Path(model_dir) / SETTINGS_FILE
        data = _read_json_object(path)
        problem = cls.problem(data)
        if problem:
            raise ModelFolderError(f"{path}: {problem}")
        return cls(**data)

    @classmethod
    def problem(cls, data: dict) -> str | None:
        """What is wrong with the settings `data`, or None."""
        known = set(cls.__dataclass_fields__)
        if set(data) - known:
            return f"unknown key(s) {', '.join(sorted(set(data) - known))}; known: {', '.join(sorted(known))}"
        labels = data.get("labels")
        if (not isinstance(labels, list) or not labels
                or not all(isinstance(l, str) and l.strip() for l in labels)):
            return "'labels' must be a non-empty list of label names"
        odd = [l for l in labels if not LABEL_NAME.match(l)]
        if odd:  # names end up in CSV headers, HTML attributes and CSS selectors
            return (f"label name(s) {', '.join(map(repr, odd))}: use letters, digits, '_', '.' "
                    "and '-'")
        duplicates = sorted({l for l in labels if labels.count(l) > 1})
        if duplicates:
            return f"duplicate label(s): {', '.join(duplicates)}"
        thresholds = data.get("thresholds", {})
        if not isinstance(thresholds, dict):
            return "'thresholds' must be an object {label: threshold}"
        for label, value in thresholds.items():
            if label not in labels:
                return f"threshold for unknown label {label!r}"
            if (isinstance(value, bool) or not isinstance(value, (int, float))
                    or not math.isfinite(value) or not 0 <= value <= 1):
                return f"threshold for {label!r} must be a number in [0, 1], not {value!r}"
        for key, lowest in (("max_length", 8), ("window_stride", 0)):
            value = data.get(key, 1 if key == "max_length" else 0)
            if key in data and (isinstance(value, bool) or not isinstance(value, int)
                                or value < lowest):
                return f"{key!r} must be an integer of at least {lowest}, not {value!r}"
        if data.get("window_stride", 32) >= data.get("max_length", 128):
            return "'window_stride' must be smaller than 'max_length'"
        if data.get("pooling", "mean") != "mean":
            return f"pooling {data['pooling']!r} is not supported (only 'mean')"
        weight = data.get("lexical_weight", 0.0)
        if (isinstance(weight, bool) or not isinstance(weight, (int, float))
                or not math.isfinite(weight) or not 0 <= weight < 1):
            return f"'lexical_weight' must be a number in [0, 1), not {weight!r}"
        return None


def _checked_tokenizer(path: Path, encoder, settings: ModelSettings):
    """The folder's tokenizer, checked against the encoder and the settings. Without
    tokenizer.json, transformers would quietly build an empty vocabulary (every word [UNK], every
    score wrong); a vocabulary larger than the embeddings, or windows longer than the encoder's
    positions, would fail only when scoring."""
    file = path / "tokenizer.json"
    if not file.is_file():
        raise ModelFolderError(f"{file}: missing (the model's tokenizer; save_pretrained writes it)")
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True,
                                                  trust_remote_code=False)
    except Exception as error:
        raise ModelFolderError(f"{path}: cannot load the tokenizer ({error})") from None
    rows = encoder.get_input_embeddings().num_embeddings
    if len(tokenizer) > rows:
        raise ModelFolderError(f"{file}: {len(tokenizer)} tokens, but the encoder embeds only "
                               f"{rows} (config.json): not this model's tokenizer")
    positions = getattr(encoder.config, "max_position_embeddings", None)
    if positions is not None and settings.max_length > positions:
        raise ModelFolderError(f"{path / SETTINGS_FILE}: max_length {settings.max_length} is more "
                               f"than the encoder's {positions} positions (config.json)")
    room = settings.max_length - tokenizer.num_special_tokens_to_add()
    if settings.window_stride >= room:
        raise ModelFolderError(f"{path / SETTINGS_FILE}: window_stride {settings.window_stride} "
                               f"must be below max_length less the special tokens ({room})")
    return tokenizer


def _checked_weights(file: Path, expected: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The tensors of a safetensors file, as float32, checked against the model's own names
    and shapes (a head for another number of labels, a truncated or foreign file, NaN weights)."""
    try:
        state = load_file(str(file))
    except Exception as error:  # safetensors' own error type, or OSError
        raise ModelFolderError(f"{file}: not a readable safetensors file ({error})") from None
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        raise ModelFolderError(f"{file}: weights do not fit the model; missing "
                               f"{missing[:5] or 'none'}, unexpected {unexpected[:5] or 'none'}")
    weights = {}
    for name, tensor in state.items():
        if tuple(tensor.shape) != tuple(expected[name].shape):
            raise ModelFolderError(f"{file}: {name} has shape {tuple(tensor.shape)}, the model "
                                   f"needs {tuple(expected[name].shape)} (labels or config.json "
                                   "do not match the weights)")
        if tensor.is_floating_point() != expected[name].is_floating_point():
            raise ModelFolderError(f"{file}: {name} holds {tensor.dtype}, the model needs "
                                   f"{expected[name].dtype}")
        if tensor.is_floating_point():
            tensor = tensor.float()
            if not torch.isfinite(tensor).all():
                raise ModelFolderError(f"{file}: {name} holds NaN or infinite values")
        weights[name] = tensor
    return weights


class EncodedBatch(NamedTuple):
    """`FramingModel.encode`'s result: token windows, the sentence each belongs to, and the
    lexical half's scores (None for an encoder-only model)."""

    windows: list[list[int]]
    owner: np.ndarray
    lexical: np.ndarray | None = None


class FramingModel(nn.Module):
    """Encoder + mean pooling + linear head; `predict_proba` gives one sigmoid score per label.

    A blended model also carries `lexical`, a TF-IDF + logistic-regression scorer, and scores
    `(1 - lexical_weight) * encoder + lexical_weight * lexical`; thresholds apply to that.
    """

    def __init__(
        self,
        encoder: nn.Module,
        tokenizer: PreTrainedTokenizerBase,
        settings: ModelSettings,
        taxonomy: Taxonomy | None = None,
    ) -> None:
        super().__init__()
        self.encoder = encoder
        self.tokenizer = tokenizer
        self.settings = settings
        self.taxonomy = taxonomy or Taxonomy.from_labels(settings.labels)
        self.dropout = nn.Dropout(0.1)
        self.head = nn.Linear(encoder.config.hidden_size, len(settings.labels))
        self.register_buffer("pos_weight", torch.ones(len(settings.labels)), persistent=False)
        self.precision = "fp32"
        self.lexical: LexicalScorer | None = None

    def set_lexical(self, scorer: LexicalScorer | None, weight: float) -> "FramingModel":
        """Blend the encoder's scores with `scorer`'s (weight 0 or no scorer: encoder alone).
        The thresholds are for the blended scores: recalibrate after changing this."""
        if scorer is None and weight > 0:
            raise ValueError("a lexical weight needs a lexical scorer (weight 0 turns blending off)")
        if scorer is not None and scorer.n_labels != len(self.labels):
            raise ValueError(f"the lexical scorer has {scorer.n_labels} labels, the model {len(self.labels)}")
        if not 0 <= weight < 1:
            raise ValueError(f"lexical weight must be in [0, 1), not {weight}")
        self.lexical = scorer if scorer is not None and weight > 0 else None
        self.settings.lexical_weight = float(weight) if self.lexical is not None else 0.0
        return self

    def set_precision(self, precision: str) -> "FramingModel":
        """Score in "fp32" or "bf16".

        bf16 casts the encoder's matrix weights once and runs under autocast, which keeps
        embeddings, layer norms, softmax, pooling and the head in fp32: nearly all the speed of
        bf16 matrix units with far less drift than casting the whole model.
        """
        if precision not in ("fp32", "bf16"):
            raise ValueError(f"precision must be fp32 or bf16, not {precision!r}")
        self.float()
        if precision == "bf16":
            for module in self.encoder.modules():
                if isinstance(module, nn.Linear):
                    module.to(torch.bfloat16)
        self.precision = precision
        return self

    # -- construction -------------------------------------------------------------------

    @classmethod
    def from_encoder(cls, encoder_dir: str | Path, taxonomy: Taxonomy, **settings) -> "FramingModel":
        """A new model on a pretrained encoder from a local folder (Hugging Face format)."""
        check_encoder_folder(encoder_dir)
        encoder = AutoModel.from_pretrained(
            str(encoder_dir), local_files_only=True, use_safetensors=True, add_pooling_layer=False,
            trust_remote_code=False,
        )
        tokenizer = AutoTokenizer.from_pretrained(str(encoder_dir), local_files_only=True,
                                                  trust_remote_code=False)
        model = cls(encoder, tokenizer, ModelSettings(labels=taxonomy.names, **settings), taxonomy)
        return model

    @classmethod
    def from_pretrained(cls, path: str | Path, device: str | None = None) -> "FramingModel":
        """Load a saved framing model folder (safetensors weights only; no code from the folder).

        Raises `FileNotFoundError` when the folder is not a model folder and `ModelFolderError`
        (naming the file) when one of its files is unsafe or invalid.
        """
        path = Path(path)
        if not (path / MODEL_FILE).is_file() or not (path / SETTINGS_FILE).is_file():
            raise FileNotFoundError(
                f"{path} is not a framescope model folder: it needs {MODEL_FILE} and {SETTINGS_FILE}"
            )
        settings = ModelSettings.load(path)
        check_encoder_folder(path)
        try:
            config = AutoConfig.from_pretrained(str(path), local_files_only=True,
                                                trust_remote_code=False)
            encoder = AutoModel.from_config(config, add_pooling_layer=False,
                                            trust_remote_code=False)
        except Exception as error:  # transformers raises many kinds; name the file either way
            raise ModelFolderError(f"{path / 'config.json'}: cannot build the encoder ({error})") from None
        tokenizer = _checked_tokenizer(path, encoder, settings)
        taxonomy_path = path / TAXONOMY_FILE
        taxonomy = Taxonomy.load(taxonomy_path) if taxonomy_path.is_file() else None
        if taxonomy is not None and set(taxonomy.names) != set(settings.labels):
            raise ModelFolderError(f"{taxonomy_path}: its labels ({', '.join(taxonomy.names)}) are "
                                   f"not the model's ({', '.join(settings.labels)}, {SETTINGS_FILE})")
        model = cls(encoder, tokenizer, settings, taxonomy)
        model.load_state_dict(_checked_weights(path / MODEL_FILE, model.state_dict()))
        if settings.lexical_weight > 0:
            try:
                model.lexical = LexicalScorer.load(path, len(settings.labels))
            except ValueError as error:
                raise ModelFolderError(f"{path / SETTINGS_FILE} sets lexical_weight, but: {error}") from None
        model.eval()
        if device:
            model.to(device)
        return model

    def save_pretrained(self, path: str | Path, dtype: torch.dtype = torch.float16) -> None:
        """Write the model folder; weights as `dtype` safetensors (float16 keeps it small)."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().to("cpu", dtype).contiguous() for k, v in self.state_dict().items()}
        save_file(state, str(path / MODEL_FILE))
        self.encoder.config.save_pretrained(str(path))
        self.tokenizer.save_pretrained(str(path))
        settings = {
            "labels": self.settings.labels,
            "thresholds": self.settings.thresholds,
            "max_length": self.settings.max_length,
            "window_stride": self.settings.window_stride,
            "pooling": self.settings.pooling,
        }
        (path / LEXICAL_FILE).unlink(missing_ok=True)
        if self.lexical is not None:
            settings["lexical_weight"] = self.settings.lexical_weight
            self.lexical.save(path)
        (path / SETTINGS_FILE).write_text(json.dumps(settings, indent=2) + "\n", "utf-8")
        self.taxonomy.save(path / TAXONOMY_FILE)

    # -- the network --------------------------------------------------------------------

    @property
    def labels(self) -> list[str]:
        return self.settings.labels

    @property
    def thresholds(self) -> dict[str, float]:
        return {label: self.settings.threshold(label) for label in self.labels}

    @property
    def device(self) -> torch.device:
        return self.head.weight.device

    def forward(self, input_ids, attention_mask, token_type_ids=None, labels=None, weight=None):
        """Logits per label; with `labels`, also the class-weighted BCE loss (for the Trainer).

        `pos_weight` (set by the trainer) up-weights each label's rare positives; `weight`
        is an optional per-example weight (the `weight` field of the training data).
        """
        hidden = self.encoder(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        mask = attention_mask.unsqueeze(-1).float()
        pooled = (hidden.float() * mask).sum(1) / mask.sum(1).clamp(min=1.0)  # pool in fp32
        with torch.autocast(hidden.device.type, enabled=False):  # the head stays in fp32
            logits = self.head(self.dropout(pooled.to(self.head.weight.dtype)))
        if labels is None:
            return {"logits": logits}
        loss = nn.functional.binary_cross_entropy_with_logits(
            logits.float(), labels.float(), pos_weight=self.pos_weight, reduction="none"
        ).mean(dim=1)
        if weight is not None:
            # (a batch of weight-0 sentences adds nothing, rather than 0/0 = NaN weights)
            loss = loss * weight.float() / weight.float().mean().clamp(min=1e-12)
        loss = loss.mean()
        return {"loss": loss, "logits": logits}

    # -- scoring ------------------------------------------------------------------------

    def predict_proba(self, sentences: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Scores in [0, 1], shape `(len(sentences), len(labels))`.

        Sentences longer than the encoder window are scored in overlapping windows and take the
        highest score of any window, so nothing is silently cut off. Sentences are sorted by
        length and padded per batch; a sentence's score does not depend on its batch-mates.
        """
        return self.scores_from_windows(self.encode(sentences), len(sentences), batch_size)

    def encode(self, sentences: Sequence[str]) -> EncodedBatch:
        """The CPU half of `predict_proba`: token windows, the sentence each belongs to, and
        (for a blended model) the lexical scores.

        Kept apart so that a caller can tokenise the next batch of text while the accelerator
        scores this one (see `framescope.inference.predict.scored_chunks`).
        """
        if len(sentences) == 0:
            return EncodedBatch([], np.zeros(0, dtype=np.int64))
        encoded = self.tokenizer(
            [normalise_for_model(s) for s in sentences],
            truncation=True,
            max_length=self.settings.max_length,
            stride=self.settings.window_stride,
            return_overflowing_tokens=True,
            return_attention_mask=False,
            return_token_type_ids=False,
        )
        lexical = self.lexical.predict_proba(sentences) if self.lexical is not None else None
        return EncodedBatch(encoded["input_ids"], np.asarray(encoded["overflow_to_sample_mapping"]),
                            lexical)

    def scores_from_windows(self, encoded: EncodedBatch, n_sentences: int,
                            batch_size: int = 64) -> np.ndarray:
        """The model half of `predict_proba`: each sentence's highest score over its windows,
        blended with the lexical scores for a blended model."""
        scores = np.zeros((n_sentences, len(self.labels)), dtype=np.float32)
        if n_sentences:
            np.maximum.at(scores, encoded.owner, self._score_windows(encoded.windows, batch_size))
        if encoded.lexical is not None:
            scores = blend(scores, encoded.lexical, self.settings.lexical_weight)
        return scores

    @torch.inference_mode()
    def _score_windows(self, windows: list[list[int]], batch_size: int) -> np.ndarray:
        self.eval()
        order = np.argsort([len(w) for w in windows], kind="stable")
        out = np.zeros((len(windows), len(self.labels)), dtype=np.float32)
        pad_id = self.tokenizer.pad_token_id or 0
        on_gpu = self.device.type == "cuda"
        for begin in range(0, len(order), batch_size):
            index = order[begin : begin + batch_size]
            lengths = np.array([len(windows[i]) for i in index])
            ids = np.full((len(index), lengths.max()), pad_id, dtype=np.int64)
            for row, i in enumerate(index):
                ids[row, : lengths[row]] = windows[i]
            mask = (np.arange(lengths.max()) < lengths[:, None]).astype(np.int64)
            ids, mask = torch.from_numpy(ids), torch.from_numpy(mask)
            if on_gpu:  # pinned host memory lets the copy overlap with GPU work
                ids, mask = ids.pin_memory(), mask.pin_memory()
            ids = ids.to(self.device, non_blocking=on_gpu)
            mask = mask.to(self.device, non_blocking=on_gpu)
            with torch.autocast(self.device.type, dtype=torch.bfloat16,
                                enabled=self.precision == "bf16"):
                logits = self(ids, mask)["logits"]
            out[index] = torch.sigmoid(logits.float()).cpu().numpy()
        return out

    def predict(
        self,
        texts: str | Iterable[str],
        *,
        threshold: float | dict[str, float] | None = None,
        batch_size: int | None = None,
    ):
        """Scored spans; see `framescope.inference.predict` for the argument and return forms."""
        from .predict import predict  # the span logic lives there; this is a convenience

        return predict(texts, model=self, threshold=threshold, batch_size=batch_size)
