"""pipeline/run."""
