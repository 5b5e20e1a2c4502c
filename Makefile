# Two commands on a fresh machine (only python3, make and the package registries assumed):
#   make serve   set up, build the graph if sources changed, serve on http://127.0.0.1:8000
#   make test    set up, run every test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup build serve test validate bench release clean system-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Debian packages the tests need (headless Chromium for the web pages, raptor for dumps).
system-deps:
	sh scripts/system-deps.sh

build: setup
	$(BIN)/neaspec-kg build

serve: build
	$(BIN)/neaspec-kg serve --host 127.0.0.1 --port 8000

test: setup system-deps
	$(BIN)/python -m pytest

validate: setup
	$(BIN)/neaspec-kg validate build/current/dataset.nq

bench: setup
	$(BIN)/python benchmarks/run.py

release: build
	$(BIN)/neaspec-kg publish --out dist/

clean:
	rm -rf build dist
