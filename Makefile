# Two commands do everything on a fresh machine: `make run` and `make test`.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test install migrate lint bench chat clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) -m bot db upgrade

run: install
	$(PY) -m bot run --migrate

# Tests never read .env (MOC_ENV_FILE empty): on a configured server `make test` must not
# migrate, nor write to, the database or Redis that .env names.
# The suite mostly waits (fake servers, polling), so NUM pytest-xdist workers (2: the machine's
# cores) about halve it; whole files go to one worker (loadfile: module fixtures built once).
# `make test NUM=0` runs it in one process, as plain `pytest` does.
NUM ?= 2
test: install
	MOC_ENV_FILE= $(PY) -m bot db upgrade
	MOC_ENV_FILE= $(PY) -m bot faq check
	MOC_ENV_FILE= $(PY) -m pytest -q -n $(NUM) --dist loadfile

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy bot handlers storage broadcasts

bench: install
	-$(PY) bench/faq_accuracy.py  # exits 1 while a target is missed; the other benches still run
	$(PY) bench/updates.py

chat: install  # its own data/chat.db (migrated by the command), with the example events
	$(PY) -m bot chat

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
