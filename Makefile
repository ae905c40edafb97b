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
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
PYTEST_ARGS ?=

.PHONY: lab test slides html constraints clean

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/ $(ROOT_FLAG) $(LAB_ARGS)

test: $(STAMP)
	COURSE_PROFILE=ci $(BIN)/python -m pytest $(PYTEST_ARGS)

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
