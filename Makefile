# The course's three commands: make lab, make test, make course.
# Each creates .venv when it is missing and installs requirements.txt and the package into it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test nbval course gpu-check sync release clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -r requirements.txt
	$(BIN)/python -m pip install -e .
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

# Unit tests, exercise checks, notebook pairing and release, and every notebook run
# once headless (papermill, smoke profile) with assertions on what it recorded.
test: $(STAMP)
	GAN_COURSE_PROFILE=smoke TQDM_DISABLE=1 MPLBACKEND=Agg $(BIN)/python -m pytest tests

# Every notebook cell by cell with nbval (smoke profile). Not part of `make test`:
# its papermill runs already fail on any cell that raises or prints a traceback.
nbval: $(STAMP)
	GAN_COURSE_PROFILE=smoke TQDM_DISABLE=1 $(BIN)/python -m pytest --nbval-lax -p no:cacheprovider notebooks/

# Every notebook in this machine's default profile (or PROFILE=smoke|cpu|gpu):
# build/executed/, build/html/, build/summary.md and build/summary.json.
course: $(STAMP)
	$(BIN)/python -m gan_course course $(if $(PROFILE),--profile $(PROFILE),)

# On a machine with one NVIDIA GPU, within 9 minutes: throughput.py on CUDA and every notebook
# in the gpu profile (each capped), timed; appends a dated section to benchmarks/RESULTS.md.
gpu-check: $(STAMP)
	TQDM_DISABLE=1 $(BIN)/python benchmarks/gpu_check.py

# Regenerate the paired .ipynb files from the .py sources, and the student exercises.
sync: $(STAMP)
	$(BIN)/python -m gan_course sync
	$(BIN)/python -m gan_course release

clean:
	rm -rf build .pytest_cache
