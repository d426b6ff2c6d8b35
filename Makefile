# make demo   - install the package into .venv and run the demo
# make test   - install with the dev extra and run pytest against a throwaway
#               PostgreSQL (scripts/with-postgres); PYTEST_ARGS=... is passed on
# make lint   - ruff over the package, tests and benches; mypy over the package (tracker/, db/)
PYTHON ?= python3
VENV := .venv
PYTEST_ARGS ?=
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test lint

demo: $(VENV)/.installed
	$(VENV)/bin/tracker demo

test: $(VENV)/.installed-dev
	scripts/with-postgres $(VENV)/bin/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check tracker tests bench db scheduler.py
	$(VENV)/bin/mypy

# pip is upgraded first: the one venv ships (23.2) fails to resolve the bench extra.
$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --upgrade pip

# Stamp files: pip runs again only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -e .
	touch $@

# The dev install includes the plain one, so it stamps both.
$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed
