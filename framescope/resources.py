"""Where the shipped model and data are, in a clone and in an installed wheel alike.

The repository's top-level ``models/`` and ``data/`` folders install as the packages
``framescope.models`` and ``framescope.data`` (see pyproject.toml), so ``importlib.resources``
finds them from any working folder after a plain ``pip install``.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["DEFAULT_MODEL", "DATA_DIR", "DEFAULT_TAXONOMY"]

DEFAULT_MODEL = Path(str(files("framescope.models").joinpath("default")))
DATA_DIR = Path(str(files("framescope.data")))
DEFAULT_TAXONOMY = DATA_DIR / "taxonomy.yaml"
