"""Writing the files the review-loop commands produce: checked early, replaced whole.

A command checks its output folder before any work (`check_output_folder`), and writes the
finished file next to its target and renames it over (`write_atomically`), so a reader never
sees half a review file or half a page.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

__all__ = ["check_output_folder", "write_atomically", "write_json_lines"]


def check_output_folder(path: str | Path) -> Path:
    output = Path(path)
    if not output.parent.is_dir():
        raise ValueError(f"{output.parent}: output folder does not exist")
    return output


def write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, "utf-8")
    partial.replace(path)


def write_json_lines(path: Path, rows: Iterable[dict]) -> None:
    write_atomically(path, "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
