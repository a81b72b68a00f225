"""framescope inference: load a framing model and get scored spans from text.

The public names are exported by the top-level package (``from framescope import predict,
load_model, score_sentences, split_sentences, Span``); this package re-exports nothing, so
importing a light module of it (the batch readers, the splitter) does not pay for torch.
"""
