# Two commands do the whole setup on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench lint install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@mkdir -p instance
	$(BIN)/cfc criteria list
	$(BIN)/cfc template qd06-2019 --example -o instance/example.yaml
	$(BIN)/cfc score instance/example.yaml

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/cfc criteria validate
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/engine_bench.py

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
