"""Infrastructure behind the core's ports: embedders, Chroma, BM25, SQL."""
