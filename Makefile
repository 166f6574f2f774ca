# msdseg: two commands do everything on a fresh machine (Python 3.11 + pip + gcc).
#   make demo   -> the main job: synthetic MSD task -> ... (see README)
#   make test   -> the whole test suite (export/clean checks + every notebook incl. slow cells)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.msdseg-installed
OUT    ?= demo_out

.PHONY: demo test test-kernels install export clean-nbs readme bench help

help:
	@echo "make demo  - run the msdseg demo (creates $(VENV) on first use)"
	@echo "make test  - run the whole test suite (creates $(VENV) on first use)"
	@echo "make test-kernels - the suite with TensorFlow's oneDNN kernels off, then on"

CONSTRAINTS := tools/constraints.txt
BENCH_STAMP := $(VENV)/.msdseg-bench-installed

$(STAMP): settings.ini setup.py $(CONSTRAINTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel packaging
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e ".[cpu,dev,viz]"
	touch $(STAMP)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e ".[cpu,dev,viz,bench]"
	touch $(BENCH_STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/msdseg demo --out $(OUT)

# the suite cross-checks losses and metrics against MONAI (torch CPU): the bench extra is needed
test: $(BENCH_STAMP)
	$(BIN)/python tools/run_tests.py

export: $(STAMP)
	$(BIN)/nbdev_export

clean-nbs: $(STAMP)
	$(BIN)/nbdev_clean

readme: $(STAMP)
	$(BIN)/python tools/make_readme.py

# the whole suite twice, with TensorFlow's oneDNN CPU kernels forced off and then on: float32
# round-off and memory differ between the two, and a test must hold with either (not in CI's path).
# Without oneDNN an AVX2 CPU runs Conv3D about 3x slower, so each notebook gets 3 h, not 40 min.
test-kernels: $(BENCH_STAMP)
	TF_ENABLE_ONEDNN_OPTS=0 MSDSEG_TEST_TIMEOUT=10800 $(BIN)/python tools/run_tests.py
	TF_ENABLE_ONEDNN_OPTS=1 $(BIN)/python tools/run_tests.py

# benchmarks against MONAI / nnU-Net's method (on demand, not part of `make test`):
# writes bench/results/*.json
bench: $(BENCH_STAMP)
	@for f in bench/[a-z]*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done
