"""corpus-sieve pipeline: read corpora, apply a recipe of filters in bounded memory,
write kept and rejected rows, and record every run in its own directory."""
