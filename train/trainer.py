"""Fine-tune a `FramingModel` on labelled sentences, calibrate thresholds, save with a card.

    trainer = FramingTrainer(TrainingArguments(base="minilm"))
    model = trainer.fit(train_examples, dev_examples, taxonomy)
    trainer.save(model, "models/mine")

The loop itself is the `transformers` Trainer (AdamW, linear warm-up and decay, evaluation each
epoch, early stopping on dev micro-F1 by default, best epoch restored). Around it: class
weighting for rare labels, threshold calibration on dev, the TF-IDF baseline on the same split,
and the files a user needs to trust the model (metrics, arguments, versions, model card).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
import time
import warnings
from importlib import metadata
from pathlib import Path

import numpy as np
import torch
from datasets import Dataset
from transformers import DataCollatorWithPadding, EarlyStoppingCallback, Trainer, set_seed
from transformers import TrainingArguments as HFTrainingArguments

from framescope.inference.lexical import blend
from framescope.inference.modeling import FramingModel, ModelSettings, normalise_for_model
from framescope.inference.taxonomy import Taxonomy

from .arguments import TrainingArguments, resolve_base
from .data import Example, crossfit_folds, label_matrix
from .evaluate import baseline_with_dev_scores
from .metrics import binarise, calibrate_thresholds, score_labels
from .model_card import write_model_card
from .teacher import model_record, save_teacher_scores, teacher_scores

__all__ = ["FramingTrainer"]


class FramingTrainer:
    def __init__(self, args: TrainingArguments | None = None) -> None:
        self.args = args or TrainingArguments()
        self.report: dict = {}

    def fit(self, train: list[Example], dev: list[Example], taxonomy: Taxonomy,
            base_dir: str | Path | None = None) -> FramingModel:
        """Train on `train`, early-stop and calibrate on `dev`; returns the fitted model.

        With `crossfit_dev=K` the dev sentences are trained on as well (`fit_crossfit`)."""
        for name, part in (("training", train), ("dev", dev)):  # before hours of training
            if not any(e.labels for e in part):
                raise ValueError(f"the {name} file has no sentence with a label: there is "
                                 "nothing to learn or to measure (every F1 would be 0); add "
                                 "labelled sentences to it")
        if self.args.crossfit_dev:
            return self.fit_crossfit(train, dev, taxonomy, base_dir)
        self.report = {}
        model, history, training_seconds = self._train(train, dev, taxonomy, base_dir)
        dev_scores = model.predict_proba([e.text for e in dev])
        self._calibrate_and_report(model, train, dev, dev_scores, taxonomy.names)
        self.report = {
            "training_seconds": round(training_seconds, 1),
            "epochs_run": len(history),
            "best_epoch": _best_epoch(history, self.args.early_stopping_metric),
            "early_stopping_metric": self.args.early_stopping_metric,
            "epoch_dev_macro_f1_at_0.5": [round(h["eval_macro_f1"], 4) for h in history],
            "epoch_dev_micro_f1_at_0.5": [round(h["eval_micro_f1"], 4) for h in history],
            "train_examples": len(train),
            **self.report,
        }
        return model

    def fit_crossfit(self, train: list[Example], dev: list[Example], taxonomy: Taxonomy,
                     base_dir: str | Path | None = None) -> FramingModel:
        """Train on `train` + `dev`, with thresholds that were still chosen on unseen sentences.

        Labelled real text is scarce, and a dev split that only picks thresholds leaves some of
        it unlearnt. Cross-fitting uses all of it: dev is cut into K folds (the sentences of one
        document stay together); K models each learn from `train` and the other folds and score
        their own fold; the thresholds are calibrated on these pooled out-of-fold scores, and
        the model returned learns from `train` and all of dev. Every one of the K + 1 trainings
        runs exactly `epochs` epochs: early stopping on a held-out fold would choose the epoch
        on the very sentences it then scores. The dev figures it reports are the out-of-fold
        ones."""
        args = self.args
        if args.crossfit_dev < 2:
            raise ValueError(f"fit_crossfit needs crossfit_dev >= 2 folds, not {args.crossfit_dev}")
        self.report = {}
        _warn_if_start_learnt_dev(args.init_from)
        folds = crossfit_folds(dev, args.crossfit_dev)
        scores = np.zeros((len(dev), len(taxonomy.names)))
        seconds = 0.0
        for k in range(args.crossfit_dev):
            held = [e for e, f in zip(dev, folds) if f == k]
            rest = [e for e, f in zip(dev, folds) if f != k]
            model, _, took = self._train(train + rest, None, taxonomy, base_dir)
            scores[folds == k] = model.predict_proba([e.text for e in held])
            seconds += took
        model, _, took = self._train(train + dev, None, taxonomy, base_dir)
        self._calibrate_and_report(model, train, dev, scores, taxonomy.names)
        self.report = {
            "training_seconds": round(seconds + took, 1),
            "epochs_run": args.epochs,
            "best_epoch": None,
            "crossfit_dev": {"folds": args.crossfit_dev,
                             "fold_sizes": np.bincount(folds).tolist(),
                             "epochs": args.epochs,
                             "final_model_seconds": round(took, 1)},
            "train_examples": len(train) + len(dev),
            **self.report,
        }
        return model

    def _train(self, train: list[Example], dev: list[Example] | None, taxonomy: Taxonomy,
               base_dir: str | Path | None) -> tuple[FramingModel, list[dict], float]:
        """One training run: a model from the encoder (or `init_from`), class weights, teacher
        targets, then the transformers loop. With `dev`, evaluation each epoch and early
        stopping restore the best epoch; without, it trains for `args.epochs` and keeps the last."""
        args = self.args
        if args.threads:
            torch.set_num_threads(args.threads)
        set_seed(args.seed)
        labels = taxonomy.names
        if args.init_from:
            model, started_from = self._warm_start(args.init_from, taxonomy)
            self.report["init_from"] = started_from
        else:
            model = FramingModel.from_encoder(
                base_dir or resolve_base(args.base), taxonomy, max_length=args.inference_max_length
            )
        y_train = label_matrix(train, labels)
        positives = y_train.sum(axis=0)
        pos_weight = np.sqrt((len(train) - positives) / np.maximum(positives, 1.0))
        model.pos_weight.copy_(torch.tensor(np.clip(pos_weight, 1.0, args.max_pos_weight)))
        if args.teacher:
            y_train, self.report["teacher"] = self._teacher_targets(args.teacher, train, y_train,
                                                                    labels)
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="framescope-train-") as scratch:
            trainer = Trainer(
                model=model,
                args=self._hf_arguments(scratch, evaluate=dev is not None),
                train_dataset=self._dataset(model, train, y_train),
                eval_dataset=self._dataset(model, dev, label_matrix(dev, labels)) if dev else None,
                data_collator=DataCollatorWithPadding(model.tokenizer),
                compute_metrics=self._epoch_metrics(labels),
                callbacks=[EarlyStoppingCallback(args.early_stopping_patience)] if dev else [],
            )
            trainer.train()
            history = [h for h in trainer.state.log_history if "eval_micro_f1" in h]
        model.eval()
        return model, history, time.perf_counter() - started

    def _calibrate_and_report(self, model: FramingModel, train: list[Example],
                              dev: list[Example], dev_scores: np.ndarray,
                              labels: list[str]) -> None:
        """The TF-IDF baseline (fitted the same way: on `train`, or cross-fitted), the blend with
        it when `lexical_weight` > 0, thresholds from the dev scores, and the dev figures."""
        args = self.args
        y_dev = label_matrix(dev, labels)
        dev_weight = np.array([e.weight for e in dev])

        def cut(scores: np.ndarray) -> dict[str, float]:
            return calibrate_thresholds(y_dev, scores, labels, sample_weight=dev_weight,
                                        beta=args.threshold_beta,
                                        shared=args.threshold_strategy == "shared")

        self.baseline, baseline_scores = baseline_with_dev_scores(
            train, dev, labels, seed=args.seed, beta=args.threshold_beta, crossfit=args.crossfit_dev)
        if args.lexical_weight:
            encoder_cut = cut(dev_scores)
            self.report["dev_encoder_alone"] = score_labels(
                y_dev, binarise(dev_scores, labels, encoder_cut), labels)
            self.report["dev_encoder_alone"]["thresholds"] = encoder_cut
            model.set_lexical(self.baseline.to_lexical(), args.lexical_weight)
            dev_scores = blend(dev_scores, baseline_scores, args.lexical_weight)
        model.settings.thresholds = cut(dev_scores)
        self.report.update({
            "dev_examples": len(dev),
            "lexical_weight": args.lexical_weight,
            "dev": score_labels(y_dev, binarise(dev_scores, labels, model.thresholds), labels),
            "dev_by_source": self._by_source(dev, y_dev, dev_scores, model.thresholds, labels),
            "baseline_dev": score_labels(y_dev, binarise(baseline_scores, labels,
                                                         self.baseline.thresholds), labels),
            "thresholds": model.thresholds,
        })

    def _warm_start(self, path: str | Path, taxonomy: Taxonomy) -> tuple[FramingModel, dict]:
        """A trained framing model to continue from: encoder and head when its labels are the
        taxonomy's (same order), the encoder alone (with a new head) when they differ; and a
        record of which model it was, for the metrics and the card."""
        path = Path(path)
        start = FramingModel.from_pretrained(path).float()
        keep_head = start.labels == taxonomy.names
        started_from = {**model_record(path), "head": "kept" if keep_head else "new (other labels)"}
        settings = ModelSettings(labels=taxonomy.names, max_length=self.args.inference_max_length,
                                 window_stride=start.settings.window_stride)
        model = FramingModel(start.encoder, start.tokenizer, settings, taxonomy)
        if keep_head:
            model.head.load_state_dict(start.head.state_dict())
        return model, started_from

    def _teacher_targets(self, teacher: str, train: list[Example], y_train: np.ndarray,
                         labels: list[str]) -> tuple[np.ndarray, dict]:
        """Soft targets for distillation: `(1 - w) * labels + w * teacher scores`.

        A teacher's scores say how close a sentence comes to each framing, which the 0/1 labels
        do not; learning them lets the small model that ships take on some of what a larger
        encoder learned from the same sentences. The labels keep weight `1 - w`, so the
        teacher's mistakes are diluted rather than copied."""
        texts = [e.text for e in train]
        scores, record = teacher_scores(teacher, texts, labels)
        if self.args.save_teacher_scores:
            save_teacher_scores(self.args.save_teacher_scores, texts, scores, labels, record)
        weight = self.args.teacher_weight
        return (1 - weight) * y_train + weight * scores, {**record, "weight": weight}

    def save(self, model: FramingModel, out_dir: str | Path, data_files: dict | None = None,
             extra_reports: dict | None = None) -> None:
        """Write the model folder: weights, config, tokenizer, metrics, arguments, card."""
        out_dir = Path(out_dir)
        if out_dir.exists():
            shutil.rmtree(out_dir)  # a retrained model replaces the old files
        model.save_pretrained(out_dir)
        report = {**self.report, **(extra_reports or {})}
        (out_dir / "metrics.json").write_text(json.dumps(report, indent=2) + "\n", "utf-8")
        run = {"arguments": self.args.to_dict(), "data": data_files or {}, "versions": versions()}
        (out_dir / "training_args.json").write_text(json.dumps(run, indent=2) + "\n", "utf-8")
        write_model_card(out_dir, model, report, run)

    # -- helpers ------------------------------------------------------------------------

    def _hf_arguments(self, scratch: str, evaluate: bool = True) -> HFTrainingArguments:
        args = self.args
        return HFTrainingArguments(
            output_dir=scratch,
            num_train_epochs=args.epochs,
            learning_rate=args.learning_rate,
            per_device_train_batch_size=args.batch_size,
            # Real news sentences vary from 5 to 120 tokens: batches of similar length pad less.
            train_sampling_strategy="group_by_length",
            per_device_eval_batch_size=128,
            warmup_steps=args.warmup_ratio,
            weight_decay=args.weight_decay,
            lr_scheduler_type="linear",
            eval_strategy="epoch" if evaluate else "no",
            save_strategy="epoch" if evaluate else "no",
            save_total_limit=2,
            save_only_model=True,
            load_best_model_at_end=evaluate,
            metric_for_best_model=args.early_stopping_metric,
            greater_is_better=True,
            seed=args.seed,
            data_seed=args.seed,
            logging_strategy="epoch",
            report_to="none",
            use_cpu=not torch.cuda.is_available(),
            dataloader_num_workers=0,
            disable_tqdm=False,
        )

    def _dataset(self, model: FramingModel, examples: list[Example], y: np.ndarray) -> Dataset:
        encoded = model.tokenizer(
            [normalise_for_model(e.text) for e in examples], truncation=True,
            max_length=self.args.max_length,
        )
        columns = {
            "input_ids": encoded["input_ids"],
            "attention_mask": encoded["attention_mask"],
            "labels": y.tolist(),
            "weight": [e.weight for e in examples],
        }
        return Dataset.from_dict(columns)

    @staticmethod
    def _epoch_metrics(labels: list[str]):
        def compute(prediction) -> dict:
            logits = prediction.predictions
            logits = logits[0] if isinstance(logits, tuple) else logits
            predicted = 1 / (1 + np.exp(-logits)) >= 0.5
            report = score_labels(prediction.label_ids, predicted, labels)
            return {"macro_f1": report["macro_f1"], "micro_f1": report["micro_f1"]}

        return compute

    @staticmethod
    def _by_source(dev, y_dev, scores, thresholds, labels) -> dict:
        sources = sorted({e.extra.get("source") for e in dev if e.extra.get("source")})
        out = {}
        for source in sources:
            rows = np.array([e.extra.get("source") == source for e in dev])
            report = score_labels(y_dev[rows], binarise(scores[rows], labels, thresholds), labels)
            out[source] = {k: report[k] for k in ("examples", "micro_f1", "macro_f1",
                                                    "flags", "flag_precision", "micro_recall",
                                                    "negatives", "negatives_flagged")}
        return out


def _warn_if_start_learnt_dev(init_from: str | None) -> None:
    """A starting model that was itself trained on its dev split (cross-fitted) has seen those
    sentences: if they are this dev split too, every "out-of-fold" score is in-sample."""
    if not init_from:
        return
    run_file = Path(init_from) / "training_args.json"
    if not run_file.is_file():
        return
    run = json.loads(run_file.read_text("utf-8"))
    if run.get("arguments", {}).get("crossfit_dev"):
        warnings.warn(f"the model to continue, {init_from}, was trained on its own dev split "
                      f"({run.get('data', {}).get('dev')}): if that is this dev split too, the "
                      "out-of-fold dev figures and thresholds are in-sample; cross-fit on "
                      "sentences it has not seen", stacklevel=3)


def _best_epoch(history: list[dict], metric: str) -> int | None:
    return int(np.argmax([h[f"eval_{metric}"] for h in history]) + 1) if history else None


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def versions() -> dict:
    names = ["torch", "transformers", "tokenizers", "safetensors", "datasets", "scikit-learn",
             "numpy", "blingfire"]
    found = {"python": platform.python_version(), "platform": platform.platform(),
             "machine": f"{_cpu_name()}, {os.cpu_count()} cores"}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found
