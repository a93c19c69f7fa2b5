# Two commands do the whole setup on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: demo test bench lint install system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Servers and tools the tests use, from Debian's packages (PostgreSQL, Chromium, poppler, fonts).
system-deps:
	scripts/install-system-deps.sh

# The verification address printed in QR codes is where this demo serves (stored as public_base_url).
demo: $(STAMP)
	$(BIN)/cfc db upgrade
	CFC_BASE_URL=http://$(HOST):$(PORT) $(BIN)/cfc demo load
	CFC_BASE_URL=http://$(HOST):$(PORT) $(BIN)/cfc serve --host $(HOST) --port $(PORT)

test: $(STAMP) system-deps
	$(BIN)/ruff check .
	$(BIN)/cfc criteria validate
	$(BIN)/pytest -q

bench: $(STAMP) system-deps
	$(BIN)/python benchmarks/run_all.py

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
