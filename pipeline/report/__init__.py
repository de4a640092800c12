"""Reports a person reads: the shared toolkit (:mod:`pipeline.report.html`, :mod:`pipeline.report.svg`),
the report of a ``sieve clean`` run (:mod:`pipeline.report.run_report`) and the visual
comparison of two runs (:mod:`pipeline.report.compare_report`). The audit report
(:mod:`audits.report_html`) is built with the same toolkit."""
