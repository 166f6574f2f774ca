# msdseg: two commands do everything on a fresh machine (Python 3.11 + pip + gcc).
#   make demo   -> the main job: synthetic MSD task -> ... (see README)
#   make test   -> the whole test suite (export/clean checks + every notebook incl. slow cells)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.msdseg-installed
OUT    ?= demo_out

.PHONY: demo test install export clean-nbs readme bench help

help:
	@echo "make demo  - run the msdseg demo (creates $(VENV) on first use)"
	@echo "make test  - run the whole test suite (creates $(VENV) on first use)"

$(STAMP): settings.ini setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel packaging
	$(BIN)/python -m pip install --quiet -e ".[cpu,dev,viz]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/msdseg demo --out $(OUT)

test: $(STAMP)
	$(BIN)/python tools/run_tests.py

export: $(STAMP)
	$(BIN)/nbdev_export

clean-nbs: $(STAMP)
	$(BIN)/nbdev_clean

readme: $(STAMP)
	$(BIN)/python tools/make_readme.py
