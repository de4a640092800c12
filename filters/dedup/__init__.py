"""Rules that compare rows with each other: ``exact_dedup``."""
