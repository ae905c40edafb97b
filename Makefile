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
# An NVIDIA GPU (`nvidia-smi -L` lists one): the CUDA builds of TensorFlow and JAX, at the pinned versions
# (both use CUDA 12); otherwise the CPU builds requirements.txt names.
GPU := $(shell nvidia-smi -L 2>/dev/null | grep -q '^GPU' && echo yes)
TF_VERSION := $(shell sed -n 's/^tensorflow==\([0-9.]*\).*/\1/p' requirements.txt)
JAX_VERSION := $(shell sed -n 's/^jax==\([0-9.]*\).*/\1/p' requirements.txt)
CUDA_BUILDS := $(if $(GPU),"tensorflow[and-cuda]==$(TF_VERSION)" "jax[cuda12]==$(JAX_VERSION)")
BUILD := $(if $(GPU),the CUDA build (nvidia-smi lists a GPU),the CPU build (no NVIDIA GPU: nvidia-smi lists none))
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings
# Numeric lanes the notebooks run in (scripts/lanes.py); e.g. make test LANES=jax
LANES ?= tf-onednn-off,tf-onednn-on,jax,gpu

.PHONY: lab test test-torch slides html constraints clean

lab: $(STAMP)
	@# nbstripout as a git filter: outputs a student's runs leave in the notebooks never reach git (no pull conflicts)
	-@git rev-parse --git-dir >/dev/null 2>&1 && $(BIN)/nbstripout --install \
	  && git config filter.nbstripout.clean "$$(git config filter.nbstripout.clean) --keep-id"
	$(BIN)/jupyter lab notebooks/ $(ROOT_FLAG) $(LAB_ARGS)

test: $(STAMP)
	COURSE_PROFILE=ci $(BIN)/python scripts/run_lanes.py --lanes $(LANES) -- $(PYTEST_ARGS)

# Maintainers: the notebooks under PyTorch too (a large download, so not part of `make test`).
test-torch: $(STAMP)
	$(BIN)/python -m pip install --disable-pip-version-check torch==$(TORCH_VERSION)
	COURSE_PROFILE=ci $(BIN)/python scripts/run_lanes.py --skip-unit --lanes torch -- $(PYTEST_ARGS)

# The decks and pages load reveal.js, MathJax & co. from build/slide-assets/ (the first run fetches
# them from the npm registry, scripts/slide_assets.py), by URLs relative to build/slides/ and
# build/html/ (config/slides/nbconvert_offline.py): they work offline, from file:// or a server.
OFFLINE := --config config/slides/nbconvert_offline.py

slides: $(STAMP)
	$(BIN)/python scripts/slide_assets.py build/slide-assets
	$(BIN)/jupyter nbconvert --to slides --execute $(OFFLINE) --output-dir build/slides notebooks/*.ipynb

html: $(STAMP)
	$(BIN)/python scripts/slide_assets.py build/slide-assets
	$(BIN)/jupyter nbconvert --to html --execute $(OFFLINE) --output-dir build/html notebooks/*.ipynb

constraints: $(STAMP)
	{ head -n 2 constraints.txt; $(BIN)/python -m pip freeze --all --exclude-editable | grep -vi '^course\|^pip=='; } > constraints.new
	mv constraints.new constraints.txt

$(STAMP): requirements.txt constraints.txt pyproject.toml config/jupyterlab-overrides.json
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python 3.10 or newer is needed, this is " + sys.version'
	@echo "Installing the course into $(VENV) with $(BUILD) of TensorFlow and JAX."
	@echo "The first time this downloads about 900 MB and fills about 3 GB of disk (the CUDA build: several GB more)."
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar on -r requirements.txt -c constraints.txt -e . $(CUDA_BUILDS)
	mkdir -p $(LAB_SETTINGS) && cp config/jupyterlab-overrides.json $(LAB_SETTINGS)/overrides.json
	touch $@

clean:
	rm -rf build $(VENV)
