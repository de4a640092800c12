"""corpus-sieve audits: before training, find what besides meaning predicts the labels."""
