# One command sets up and runs the demo, one tests. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-vm bench soak deps venv typecheck clean

demo: deps $(STAMP)
	$(BIN)/python script/demo.py

test: deps $(STAMP)
	$(BIN)/python -m pytest -m "not bench"
	PYTHON=$(BIN)/python script/faketime-tests
	PYTHON=$(BIN)/python script/postgres-tests
	$(BIN)/mypy

# The speaker image tests alone (minutes: built, booted under qemu TCG); `test` runs them too.
test-vm: deps $(STAMP)
	$(BIN)/python -m pytest -m "vm and not bench"

bench: deps $(STAMP)
	$(BIN)/python -m pytest -m bench -s

soak: deps $(STAMP)
	script/soak $(SOAK_ARGS)

typecheck: $(STAMP)
	$(BIN)/mypy

deps:
	script/deps

venv: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[hub,node,test]'
	touch $@

clean:
	rm -rf $(VENV) var build *.egg-info
