"""Published quality heuristics of web-text pipelines: ``gopher_quality`` (Gopher), as polars expressions."""
