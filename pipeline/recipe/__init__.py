"""pipeline/recipe."""
