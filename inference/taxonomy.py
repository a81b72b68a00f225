"""A taxonomy: the framing labels a model knows and what each one means.

It lives in a data file (YAML or JSON), never in code, so a user can bring their own:

    name: my-taxonomy
    labels:
      - name: foreign_interference
        definition: Domestic events are presented as steered by outside powers.
      - name: coup
        definition: A change of power is presented as a coup d'etat.

The EUvsDisinfo keyword map form (`{label: {"definition": ...}, ...}`) is read too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = ["Label", "Taxonomy", "TaxonomyError"]

LABEL_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


class TaxonomyError(ValueError):
    """A taxonomy file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Label:
    name: str
    definition: str = ""


@dataclass(frozen=True)
class Taxonomy:
    labels: tuple[Label, ...]
    name: str = "custom"

    @property
    def names(self) -> list[str]:
        return [label.name for label in self.labels]

    def definition(self, name: str) -> str:
        return {label.name: label.definition for label in self.labels}.get(name, "")

    @classmethod
    def from_labels(cls, names: list[str], name: str = "custom") -> "Taxonomy":
        return cls(tuple(Label(n) for n in names), name)

    @classmethod
    def load(cls, path: str | Path) -> "Taxonomy":
        path = Path(path)
        try:
            text = path.read_text("utf-8")
            raw = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as error:
            raise TaxonomyError(f"{path}: cannot read taxonomy: {error}") from error
        return cls.from_dict(raw, source=str(path))

    @classmethod
    def from_dict(cls, raw: object, source: str = "<taxonomy>") -> "Taxonomy":
        if isinstance(raw, dict) and "labels" in raw:
            entries, name = raw["labels"], str(raw.get("name", "custom"))
        elif isinstance(raw, dict):  # keyword-map form: {label: {"definition": ...}}
            entries = [{"name": k, **(v if isinstance(v, dict) else {})} for k, v in raw.items()]
            name = "custom"
        else:
            raise TaxonomyError(f"{source}: expected a mapping with a 'labels' list")
        if not isinstance(entries, list) or not entries:
            raise TaxonomyError(f"{source}: 'labels' must be a non-empty list")
        labels = []
        for position, entry in enumerate(entries, 1):
            if isinstance(entry, str):
                entry = {"name": entry}
            label_name = entry.get("name") if isinstance(entry, dict) else None
            if not isinstance(label_name, str) or not LABEL_NAME.match(label_name):
                raise TaxonomyError(
                    f"{source}: label {position} needs a 'name' of letters, digits, '_', '.', '-'"
                )
            labels.append(Label(label_name, str(entry.get("definition", "")).strip()))
        names = [label.name for label in labels]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise TaxonomyError(f"{source}: duplicate label names: {', '.join(duplicates)}")
        return cls(tuple(labels), name)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "labels": [{"name": l.name, "definition": l.definition} for l in self.labels],
        }

    def save(self, path: str | Path) -> None:
        Path(path).write_text(
            yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True, width=100), "utf-8"
        )
