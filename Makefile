# The two commands of the README: `make demo` and `make test`. Both set everything up themselves.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_WORKSPACE ?= demo-data

.PHONY: setup system-packages web-assets demo test lint format bench clean

setup: system-packages $(VENV)/.installed web-assets

system-packages:
	@bash scripts/install-system-packages.sh

web-assets: system-packages
	@bash scripts/install-web-assets.sh

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# tesserocr from source, against Debian's Tesseract 5.3 (its wheel bundles 5.5, which reads
	# some Arabic lines as nothing: src/watchfloor/vision/ocr_engines.py)
	$(BIN)/python -m pip install --quiet --no-binary tesserocr -e '.[test]'
	touch $@

demo: setup
	$(BIN)/watchfloor --workspace $(DEMO_WORKSPACE) demo --serve

test: setup lint
	$(BIN)/python -m pytest -q -n 2 --durations=15

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

format: setup
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: setup
	$(BIN)/python benchmarks/hashing.py
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) $(DEMO_WORKSPACE) .pytest_cache
