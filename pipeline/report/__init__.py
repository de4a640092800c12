"""Reports a person reads: the shared toolkit (:mod:`corpus_sieve.pipeline.report.html`, :mod:`corpus_sieve.pipeline.report.svg`),
the report of a ``sieve clean`` run (:mod:`corpus_sieve.pipeline.report.run_report`) and the visual
comparison of two runs (:mod:`corpus_sieve.pipeline.report.compare_report`). The audit report
(:mod:`corpus_sieve.audits.report.html_report`) is built with the same toolkit."""
