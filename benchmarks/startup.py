"""How long a user waits before framescope does something: help, argument errors, first span.

    python benchmarks/startup.py [--repeat 5] [--write-readme]

Each figure is the median wall time of `--repeat` fresh processes (so it includes the Python
interpreter's own start-up, about 20 ms):
* `framescope --help`;
* a wrong `--text-field` on a 2,000-record file (stops before loading the model);
* `echo ... | framescope predict - -o -`: import, model load and one sentence scored, the
  time to first result a user sees;
* in one process: `import framescope` + `predict(one sentence)` (first call loads the model).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
CLI = [sys.executable, "-m", "framescope.cli"]


def _wall(command: list[str], stdin: bytes | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, input=stdin, capture_output=True, check=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "c.jsonl"
        corpus.write_text("".join(json.dumps({"id": i, "body": "Some text."}) + "\n"
                                  for i in range(2000)), "utf-8")
        cases = {
            "`framescope --help`": (CLI + ["--help"], None),
            "wrong `--text-field` on 2,000 records (exit 2)": (
                CLI + ["predict", str(corpus), "-o", str(Path(folder) / "o.jsonl")], None),
            "`echo ... \\| framescope predict - -o -` (first sentence scored)": (
                CLI + ["predict", "-", "-o", "-", "--no-progress"],
                b"NATO is preparing a war against Russia, the minister said.\n"),
            "`import framescope; predict(sentence)` in one process": (
                [sys.executable, "-c", "import framescope; framescope.predict('NATO is preparing a war.')"],
                None),
        }
        results = {name: statistics.median(_wall(cmd, stdin) for _ in range(args.repeat))
                   for name, (cmd, stdin) in cases.items()}
    from framescope.train.trainer import versions

    machine = versions()["machine"]
    lines = [f"Measured with `python benchmarks/startup.py --repeat {args.repeat}` on {machine} "
             "(median wall time of fresh processes):", "",
             "| what | seconds |", "|---|---:|"]
    lines += [f"| {name} | {seconds:.2f} |" for name, seconds in results.items()]
    print("\n".join(lines))
    if args.write_readme:
        from benchmarks.readme_block import write_readme_block

        write_readme_block("startup", lines)


if __name__ == "__main__":
    main()
