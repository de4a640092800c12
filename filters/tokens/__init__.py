"""Rules that need a tokenizer: ``token_length`` and its counting processes (``counter.py``)."""
