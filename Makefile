# The two commands of the README:
#   make demo   installs midline into .venv and runs the main job on the embedded defaults
#   make test   installs midline with its dev tools and runs lint, type check and the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install lint typecheck pytest services clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev,ray]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/midline demo --serve

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools

typecheck: $(STAMP)
	$(BIN)/mypy

# The storage tests also run against PostgreSQL: scripts/ci-services.sh installs it (Debian package)
# if missing, starts a throwaway server on loopback and prints its URL. Where none can be started
# it says so loudly and the PostgreSQL tests skip (or fail when CI=true). `make demo` needs none.
services:
	scripts/ci-services.sh

# The end-to-end tests drive Debian's headless chromium with chromium-driver: scripts/ci-browser.sh
# installs the two packages when missing (as root); without them those tests skip (fail when CI=true).
pytest: $(STAMP)
	scripts/ci-browser.sh || true
	MIDLINE_TEST_PG_URL="$${MIDLINE_TEST_PG_URL:-$$(scripts/ci-services.sh || true)}" $(BIN)/python -m pytest

test: lint typecheck pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
