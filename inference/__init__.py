"""framescope inference: load a framing model and get scored spans from text.

    from framescope import predict, load_model
    for span in predict(open("article.txt").read()):
        print(span.label, round(span.score, 2), span.text)
"""

from .modeling import FramingModel
from .predict import DEFAULT_MODEL, SentenceScores, Span, load_model, predict, score_sentences
from .segmentation import split_sentences
from .taxonomy import Taxonomy

__all__ = ["predict", "load_model", "score_sentences", "split_sentences", "Span",
           "SentenceScores", "FramingModel", "Taxonomy", "DEFAULT_MODEL"]
