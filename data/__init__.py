"""Package data: the default taxonomy, training sources and annotations, found with importlib.resources."""
