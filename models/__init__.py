"""Package data: the shipped model folders (``default/``), found with importlib.resources."""
