# riskline: every target creates or reuses the project environment (.venv) first.
# Python >= 3.12 comes from pyenv through .python-version; set PYTHON=... to use another.
# pip installs only uv (its version from requirements.lock); uv installs the lock, several times faster than pip,
# compiling the bytecode as pip would (benchmarks/README.md, "Test command time").

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCENARIO ?= scenarios/russia-nato-attack.yaml

.PHONY: demo compare backtest sweep test fuzz lab lint lock clean

demo: $(STAMP)  ## the seed scenario to a risk timeline in out/russia-nato-attack/
	$(BIN)/riskline run $(SCENARIO)

compare: $(STAMP)  ## the seed under three lexicons, and as of two dates (assuming nothing happened in between)
	$(BIN)/riskline compare $(SCENARIO) --lexicons icd-203 uk-phia nato --out out/russia-nato-attack-lexicons
	$(BIN)/riskline compare $(SCENARIO) --as-of 2025-12-11 2026-11-25 --out out/russia-nato-attack-update

backtest: $(STAMP)  ## the track record: every resolved question of backtests/questions/ scored, in out/backtest/
	$(BIN)/riskline backtest backtests/questions --out out/backtest

sweep: $(STAMP)  ## the seed's sensitivity sweep (base rate x lexicon x each statement left out) on Dask, in out/russia-nato-attack-sweep/
	$(BIN)/riskline sweep sweeps/russia-nato-attack.yaml --out out/russia-nato-attack-sweep

# One test process per core (at most 4), each taking whole files so that a module's fitted models are built once,
# in the order collected (the longest files first: tests/conftest.py).
test: $(STAMP)  ## the whole test suite, slow tests included (CI runs this)
	$(BIN)/python -m pytest --numprocesses auto --maxprocesses 4 --dist loadfile --no-loadscope-reorder

fuzz: $(STAMP)  ## the fuzz suite's long run: 10,000 mutated scenario files through riskline check (a few minutes)
	RISKLINE_FUZZ=nightly $(BIN)/python -m pytest tests/config/test_fuzz.py

lab: $(STAMP)  ## JupyterLab on notebooks/, in the project environment
	$(BIN)/jupyter lab notebooks/

lint: $(STAMP)  ## ruff (lint and format) and mypy on src/ (CI runs this before the tests)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy src

lock: $(STAMP)  ## re-pin requirements.lock after changing pyproject.toml's dependencies
	$(BIN)/pip-compile --quiet --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links --extra notebooks --extra dev \
		--output-file requirements.lock pyproject.toml

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else \
		"riskline needs Python >= 3.12 but $(PYTHON) is " + sys.version.split()[0] + \
		": install it (pyenv install 3.12) or run make PYTHON=python3.12")'
	@[ -x $(BIN)/python ] && $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))' \
		|| { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $$(grep '^uv==' requirements.lock)
	$(BIN)/uv pip install --python $(BIN)/python --quiet --compile-bytecode -r requirements.lock
	$(BIN)/uv pip install --python $(BIN)/python --quiet --no-deps --no-build-isolation -e .
	touch $@

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache .mypy_cache .hypothesis
