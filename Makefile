# One command sets up and runs the demo, one tests. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-vm bench soak deps venv typecheck clean

demo: deps $(STAMP)
	$(BIN)/python script/demo.py

test: deps $(STAMP)
	$(BIN)/python -m pytest -m "not bench and not vm"
	PYTHON=$(BIN)/python script/faketime-tests
	PYTHON=$(BIN)/python script/postgres-tests
	$(BIN)/mypy

# The speaker image booted under qemu (minutes). Not in `test` until the power-cut
# replay passes again on the merged node (see firmware_image/README.md).
test-vm: deps $(STAMP)
	$(BIN)/python -m pytest -m vm

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
