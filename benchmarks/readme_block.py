"""Put a benchmark's results into the README between `<!-- NAME:begin -->` and `<!-- NAME:end -->`
(appended at the end the first time), so figures in the README come from a run, not a hand."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def write_readme_block(name: str, lines: list[str], path: Path = README) -> None:
    text = path.read_text("utf-8")
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    block = "\n".join([begin, *lines, end])
    if begin in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text += "\n" + block + "\n"
    path.write_text(text, "utf-8")
