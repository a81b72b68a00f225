"""Writing the files the commands produce: checked early, replaced whole.

A command checks its output folder before any work (`check_output_folder`), and writes the
finished file next to its target and renames it over (`write_atomically`), so a reader never
sees half a review file or half a page.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

__all__ = ["check_model_output", "check_output_folder", "write_atomically", "write_json_lines"]


def check_output_folder(path: str | Path) -> Path:
    output = Path(path)
    if not output.parent.is_dir():
        raise ValueError(f"{output.parent}: output folder does not exist")
    return output


def check_model_output(out: str | Path, keep: Iterable[str | Path | None] = ()) -> Path:
    """A model folder is written by replacing `out` whole, so refuse an `out` that is a file,
    an existing folder with files that is not a framescope model (no framescope.json), or a
    folder that holds something the command still needs (`keep`: the model it copies, its
    data, a teacher). `train --out .` would otherwise delete the working directory."""
    out = Path(out)
    if not out.resolve().parent.is_dir():
        raise ValueError(f"--out {out}: the folder {out.parent} does not exist")
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out}: a file, not a folder")
    for path in keep:
        if path is not None and Path(path).resolve().is_relative_to(out.resolve()):
            raise ValueError(f"--out {out} holds {path}, which writing the model would delete: "
                             "give another folder")
    if out.is_dir() and any(out.iterdir()) and not (out / "framescope.json").is_file():
        raise ValueError(f"--out {out}: a folder with files that is not a framescope model; "
                         "it would be replaced whole: give a new or empty folder")
    return out


def write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, "utf-8")
    partial.replace(path)


def write_json_lines(path: Path, rows: Iterable[dict]) -> None:
    write_atomically(path, "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
