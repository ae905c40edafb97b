# Two commands on a fresh machine (see README.md):
#   make lab    set everything up, then open the course in JupyterLab
#   make test   set everything up, then run the whole test suite (what CI runs)
# Both create .venv on the first run and reuse it afterwards; it is rebuilt only
# when requirements.txt, constraints.txt or pyproject.toml change.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.course-installed
LAB_ARGS ?=
TORCH_VERSION ?= 2.13.0
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
PYTEST_ARGS ?=
# Numeric lanes the notebooks run in (scripts/lanes.py); e.g. make test LANES=jax
LANES ?= tf-onednn-off,tf-onednn-on,jax,gpu

.PHONY: lab test test-torch slides html constraints clean

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/ $(ROOT_FLAG) $(LAB_ARGS)

test: $(STAMP)
	COURSE_PROFILE=ci $(BIN)/python scripts/run_lanes.py --lanes $(LANES) -- $(PYTEST_ARGS)

# Maintainers: the notebooks under PyTorch too (a large download, so not part of `make test`).
test-torch: $(STAMP)
	$(BIN)/python -m pip install --disable-pip-version-check torch==$(TORCH_VERSION)
	COURSE_PROFILE=ci $(BIN)/python scripts/run_lanes.py --skip-unit --lanes torch -- $(PYTEST_ARGS)

slides: $(STAMP)
	$(BIN)/jupyter nbconvert --to slides --execute --output-dir build/slides notebooks/*.ipynb

html: $(STAMP)
	$(BIN)/jupyter nbconvert --to html --execute --output-dir build/html notebooks/*.ipynb

constraints: $(STAMP)
	{ head -n 2 constraints.txt; $(BIN)/python -m pip freeze --exclude-editable | grep -vi '^course'; } > constraints.new
	mv constraints.new constraints.txt

$(STAMP): requirements.txt constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python 3.10 or newer is needed, this is " + sys.version'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt -e .
	touch $@

clean:
	rm -rf build $(VENV)
