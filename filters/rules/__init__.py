"""One self-contained rule per file; the file is named after the rule's recipe name.

To add a rule, copy the closest one (a check: ``reject_dot_runs.py``; a transform:
``remove_hashtags.py``), rename it, and import its class in ``corpus_sieve/filters/__init__.py``.
"""
