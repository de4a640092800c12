# corpus-sieve: one set-up command (make install), one test command (make test).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SIEVE := $(BIN)/sieve

.PHONY: install test docs clean-corpus audit bench bench-audit bench-dedup bench-labels bench-dev bench-html bench-language bench-quality dev clean

EXTRAS ?= dev
# An editable install leaves our modules uncompiled, and where PYTHONDONTWRITEBYTECODE is set
# every `sieve` process (and each worker) compiles them again: ~0.07 s each. pip compiles the
# modules of a regular install; this does the same for ours.
BYTECODE = $(BIN)/python -m compileall -q filters pipeline audits
install:  ## create .venv and install corpus-sieve with its test tools (more extras: make install EXTRAS=dev,ray)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e '.[$(EXTRAS)]'
	$(BYTECODE)

test:  ## run the test suite (the doctests of every corpus_sieve module included: tests/test_doctests.py)
	$(BIN)/python -m pytest tests

docs:  ## regenerate the filter and audit-check references, then build the docs site into site/ (strict: a broken link fails)
	$(BIN)/python docs/gen_reference.py
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict --quiet

clean-corpus:  ## clean the embedded sample corpus in data/ with the founding ptvid preset (sieve recipes lists the presets)
	$(SIEVE) clean data/sample_corpus.jsonl --recipe ptvid --out runs

dev:  ## the 10-second rule: the full code path on a stratified sample
	$(SIEVE) clean data/sample_corpus.jsonl --recipe ptvid --out runs --dev

audit:  ## audit the kept rows of the latest make clean-corpus run (a demo: exits 0 even when it finds errors)
	$(SIEVE) audit runs/latest --out runs/latest/audit --fail-on never

bench:  ## speed vs HF datasets and datatrove on the real corpus (needs ../shared/data and pip install -e '.[bench]'); not part of make test
	$(BYTECODE)
	$(BIN)/python tests/benchmarks/bench_speed.py --markdown tests/benchmarks/latest.md
	$(BIN)/python tests/benchmarks/bench_audit.py

bench-audit:  ## sieve audit --engine streaming on 1M, 3M and 10M short documents: wall, peak RSS, per-check seconds, findings diff vs memory at 1M (needs ../shared/data, ~30 min)
	$(BIN)/python tests/benchmarks/bench_audit.py 1000000 3000000 10000000

bench-dev:  ## sieve clean --dev on the real mixed corpus repeated up to 20 GB (needs ../shared/data and ~21 GB of disk): constant time
	$(BIN)/python tests/benchmarks/bench_dev.py

bench-language:  ## language-ID accuracy by language and length on FRMT + Tatoeba, and rows/s (needs ../shared/data)
	$(BIN)/python tests/benchmarks/bench_language_id.py --markdown tests/benchmarks/language_id.md

bench-dedup:  ## near_dedup against datatrove's MinHash on a planted real-text set, then 10 M short documents (needs ../shared/data, datatrove)
	$(BIN)/python tests/benchmarks/bench_near_dedup.py --markdown tests/benchmarks/near_dedup.md
	$(BIN)/python tests/benchmarks/bench_near_dedup_scale.py

bench-labels:  ## label_issues against cleanlab on real labels flipped on purpose (needs ../shared/data, cleanlab)
	$(BIN)/python tests/benchmarks/bench_label_issues.py --markdown tests/benchmarks/label_issues.md

bench-quality:  ## parity and speed of the quality heuristics against datatrove (needs ../shared/data, datatrove and spacy)
	$(BIN)/python tests/benchmarks/bench_quality.py --markdown tests/benchmarks/quality.md

WCXB ?= ../shared/data/html/wcxb-dev
OUT ?= runs/bench-html
bench-html:  ## WCXB score of the HTML stage: make bench-html [WCXB=DIR] [OUT=DIR] [BACKEND=all]
	$(BIN)/python tests/benchmarks/bench_html.py --wcxb $(WCXB) --out $(OUT) --backend $(or $(BACKEND),justext)

clean:
	rm -rf runs site .pytest_cache .hypothesis build dist *.egg-info
