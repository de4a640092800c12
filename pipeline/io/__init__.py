"""pipeline/io."""
