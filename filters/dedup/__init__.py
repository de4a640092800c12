"""Rules that compare rows with each other (``exact_dedup``, ``near_dedup``), and the MinHash machinery
the near-duplicate stage and the audit share (``text_keys``, ``shingles``, ``minhash``, ``band_index``)."""
