# Two commands do the whole setup on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: demo test bench lint install system-deps clean translations

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

# The catalogues (translations/): Vietnamese is the source language, English the translation. Extract every
# message of the project, merge new ones into translations/en/LC_MESSAGES/messages.po (translate the empty
# msgstr there), then compile. tests/test_translations.py fails while a message has no English. WTForms' own
# messages ("This field is required.") have no Vietnamese catalogue upstream: ours is translations/vi/…/wtforms.po,
# merged here from the installed WTForms' wtforms.pot (translate its empty msgstr).
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _l -o translations/messages.pot --no-location --sort-output \
		--project=cfc --copyright-holder="cfc contributors" engine dossiers cfc certificates webforms
	$(BIN)/pybabel update -i translations/messages.pot -d translations -l en --no-fuzzy-matching --ignore-pot-creation-date \
		--ignore-obsolete
	$(BIN)/pybabel compile -d translations -l en --statistics
	$(BIN)/pybabel update -i "$$($(BIN)/python -c 'from wtforms.i18n import messages_path; print(messages_path())')/wtforms.pot" \
		-d translations -D wtforms -l vi --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date --width 120
	$(BIN)/pybabel compile -d translations -D wtforms -l vi --statistics

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
