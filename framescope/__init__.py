"""framescope: find the sentences that frame events as foreign interference, a coup, ...

    from framescope import predict, load_model
    for span in predict(open("article.txt").read()):
        print(span.start, span.end, span.label, round(span.score, 2), span.text)

The public names are loaded on first use, so ``framescope --help`` and argument errors do not
wait for torch and transformers to import.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("framescope")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

_PUBLIC = {
    "predict": "framescope.inference.predict",
    "load_model": "framescope.inference.predict",
    "score_sentences": "framescope.inference.predict",
    "Span": "framescope.inference.predict",
    "SentenceScores": "framescope.inference.predict",
    "split_sentences": "framescope.inference.segmentation",
    "FramingModel": "framescope.inference.modeling",
    "Taxonomy": "framescope.inference.taxonomy",
    "DEFAULT_MODEL": "framescope.resources",
}
__all__ = [*_PUBLIC, "__version__"]


def __getattr__(name: str):
    if name in _PUBLIC:
        value = getattr(import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'framescope' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
