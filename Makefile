# voicebridge: `make run` installs everything and answers calls; `make test` installs everything and runs the tests.
VENV ?= .venv
BIN = $(VENV)/bin
PEER_VENV ?= .peer-venv

.PHONY: install run test lint bench bench-peer peer-venv soak clean

$(VENV)/.installed: pyproject.toml scripts/install.sh scripts/llama_wheel.sh
	VENV=$(VENV) bash scripts/install.sh

install: $(VENV)/.installed

run: install
	$(BIN)/voicebridge serve

test: install
	$(BIN)/pytest -q --durations=25

lint: install
	$(BIN)/ruff check voicebridge tests scripts benchmarks
	$(BIN)/mypy voicebridge

bench: install
	PEER_VENV=$(PEER_VENV) $(BIN)/python benchmarks/latency.py
	$(BIN)/python benchmarks/stt_throughput.py --json benchmarks/results/stt_throughput.json
	$(BIN)/python benchmarks/llm_prompt_cache.py

# The pipecat peer for the latency race, in its own venv so its dependencies never touch the project's.
$(PEER_VENV)/.installed: benchmarks/peer-requirements.txt scripts/llama_wheel.sh
	python3.11 -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/pip install -q --find-links "$$(bash scripts/llama_wheel.sh $(PEER_VENV)/bin/pip)" -r benchmarks/peer-requirements.txt
	touch $@

peer-venv: $(PEER_VENV)/.installed

bench-peer: install peer-venv
	PEER_VENV=$(PEER_VENV) $(BIN)/python benchmarks/latency.py --levels 1,4 --german-levels "" --pausing-levels "" --peer-levels 1,4 --name peer

soak: install
	$(BIN)/python benchmarks/soak.py $(SOAK_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
