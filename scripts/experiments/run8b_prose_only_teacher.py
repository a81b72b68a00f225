"""Run 8b of data/README.md: run 3 continued for one epoch (6d's recipe) with run 8's scores
mixed into the targets of the PTC sentences only; the titles and curated sentences keep their
labels. An experiment (not shipped, not a `framescope train` option), kept so its dev figures
can be reproduced:

    framescope data --ptc PTC_FOLDER --out data/build/default
    python scripts/experiments/run8b_prose_only_teacher.py RUN3_FOLDER OUT_FOLDER

RUN3_FOLDER is models/default at commit 269adc9 (README, "Rebuild it").
"""

import sys

import numpy as np

from framescope.inference.taxonomy import Taxonomy
from framescope.train.arguments import TrainingArguments
from framescope.train.data import read_examples
from framescope.train.trainer import FramingTrainer


class ProseOnlyTeacher(FramingTrainer):
    def _teacher_targets(self, teacher, train, y_train, labels):
        mixed, record = super()._teacher_targets(teacher, train, y_train, labels)
        prose = np.array([e.extra.get("source") == "ptc" for e in train])
        return np.where(prose[:, None], mixed, y_train), {**record, "only_sources": ["ptc"]}


def main(run3: str, out: str) -> None:
    taxonomy = Taxonomy.load("data/taxonomy.yaml")
    train = read_examples("data/build/default/train.jsonl", taxonomy)
    dev = read_examples("data/build/default/dev.jsonl", taxonomy)
    args = TrainingArguments(init_from=run3, teacher="data/teacher/mpnet_run8_scores.json",
                             teacher_weight=0.5, epochs=1, learning_rate=3e-5, threads=2)
    trainer = ProseOnlyTeacher(args)
    model = trainer.fit(train, dev, taxonomy)
    trainer.save(model, out, data_files={"train": "data/build/default/train.jsonl",
                                         "dev": "data/build/default/dev.jsonl"})
    print({k: v for k, v in trainer.report["dev"].items() if not isinstance(v, dict)})


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
