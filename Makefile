# voicebridge: `make run` installs everything and answers calls; `make test` installs everything and runs the tests.
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: install run test lint bench clean

$(VENV)/.installed: pyproject.toml scripts/install.sh
	VENV=$(VENV) bash scripts/install.sh

install: $(VENV)/.installed

run: install
	$(BIN)/voicebridge serve

test: install
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check voicebridge tests scripts benchmarks
	$(BIN)/mypy voicebridge

bench: install
	$(BIN)/python benchmarks/latency.py
	$(BIN)/python benchmarks/llm_prompt_cache.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
