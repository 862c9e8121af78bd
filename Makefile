# All set-up happens here: `make demo` and `make test` work on a fresh clone.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: demo test bench venv clean lab docs

$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --upgrade pip
	# torch first, pinned to the CPU wheel on disk, so nothing pulls a CUDA build
	$(BIN)/python -m pip install -qq torch==2.13.0
	$(BIN)/python -m pip install -qq -c constraints.txt -e '.[all,test]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/mcqual run transcripts/ --codebook codebook/microcredentials.yaml --out outputs/

test: $(STAMP)
	$(BIN)/python -m pytest -q

# JupyterLab from .venv/ on the notebooks (the coding view and review card are anywidgets)
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks

# the documentation site, built strictly (a broken link or reference is an error)
docs: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir outputs/site

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV)
