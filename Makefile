# make demo   - install the package into .venv and run the demo
# make test   - install with the dev extra and run pytest against a throwaway
#               PostgreSQL (scripts/with-postgres); PYTEST_ARGS=... is passed on
PYTHON ?= python3
VENV := .venv
PYTEST_ARGS ?=
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test

demo: $(VENV)/.installed
	$(VENV)/bin/tracker demo

test: $(VENV)/.installed-dev
	scripts/with-postgres $(VENV)/bin/python -m pytest $(PYTEST_ARGS)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# Stamp files: pip runs again only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -e .
	touch $@

# The dev install includes the plain one, so it stamps both.
$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed
