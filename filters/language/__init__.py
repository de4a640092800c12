"""Rules about the language of a text: ``language_id`` (py3langid, whose model ships inside its package)."""
