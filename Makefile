# The course's three commands: make lab, make test, make course.
# Each creates .venv when it is missing and installs requirements.txt and the package into it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test nbval course gpu-check package-test nbgrader-test browser-test distributed-test set-repo sync release clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -r requirements.txt
	$(BIN)/python -m pip install -e .
	touch $(STAMP)

# JupyterLab at the repository root, opened on exercises/ (the student versions; notebooks/ holds them
# solved). .jupyter/jupyter_server_config.json hides the lessons' paired .py sources from the file browser.
lab: $(STAMP)
	JUPYTER_CONFIG_PATH="$(CURDIR)/.jupyter$(if $(JUPYTER_CONFIG_PATH),:$(JUPYTER_CONFIG_PATH))" $(BIN)/jupyter lab

# The tests run on one pytest-xdist worker per core (at most 4; TEST_WORKERS=1 runs them in one process), each
# worker and every kernel it starts on one thread: the tests' models are small, and two processes with a thread
# per core each made torch's threads wait for each other (lesson 00's 2,000 GAN steps: 98 s against 9 s).
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$(( n < 4 ? n : 4 )))
ONE_THREAD   := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
PARALLEL     := -n $(TEST_WORKERS) --dist loadgroup

# Unit tests, exercise checks, notebook pairing and release, and every notebook run
# once headless (papermill, smoke profile) with assertions on what it recorded.
test: $(STAMP)
	$(ONE_THREAD) GAN_COURSE_PROFILE=smoke TQDM_DISABLE=1 MPLBACKEND=Agg $(BIN)/python -m pytest $(PARALLEL) tests

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

# The package as Colab's setup cell installs it: a wheel of the tracked files, installed into a temporary
# environment outside the checkout, then every lesson run from a folder holding only its notebook (smoke
# profile). About 4 minutes on 2 CPU cores; no network.
package-test: $(STAMP)
	GAN_COURSE_PACKAGING=1 TQDM_DISABLE=1 $(BIN)/python -m pytest -p no:cacheprovider tests/packaging

# Data-parallel training under torchrun on this machine's CPU (gloo), tests/distributed: two processes train as one
# does (to float rounding, with the same noise; batch norm's per-shard statistics measured), a killed process ends
# the run and the same command resumes it, bad launches name what is wrong, and one recipe of every training
# loop runs on two processes. One test at a time (each starts two processes); about 8 minutes on 2 CPU cores.
distributed-test: $(STAMP)
	GAN_COURSE_DISTRIBUTED=1 TQDM_DISABLE=1 $(BIN)/python -m pytest -p no:cacheprovider tests/distributed

# nbgrader end to end (tests/nbgrader): a temporary course, generate_assignment over the lessons with
# exercises (release == exercises/), autograde of the reference of each (full marks) and, in every sixth lesson, of
# a submission with its check cells edited (restored to the release as handed out, 0), each within 2 minutes (smoke
# profile); one worker per core, each with its own course and gradebook. Installs nbgrader into
# .venv when missing, with its JupyterLab/server extensions disabled so that `make lab` stays as it is.
nbgrader-test: $(STAMP)
	$(BIN)/python -c "import nbgrader" 2>/dev/null || { $(BIN)/python -m pip install "nbgrader>=0.9.6" && \
	  $(BIN)/jupyter labextension disable --level=sys_prefix @jupyter/nbgrader && \
	  for e in formgrader validate_assignment assignment_list course_list; do \
	    $(BIN)/jupyter server extension disable --sys-prefix nbgrader.server_extensions.$$e || exit 1; done; }
	PATH="$(CURDIR)/$(BIN):$$PATH" $(ONE_THREAD) GAN_COURSE_NBGRADER=1 TQDM_DISABLE=1 \
	  $(BIN)/python -m pytest $(PARALLEL) -p no:cacheprovider -rP tests/nbgrader

# Every lesson in JupyterLab 4 in headless Chromium: Run All (smoke profile), then no error output,
# MathJax, each slider panel once with a figure that changes, animations visible and playing, progress
# bars; screenshots in build/browser/. Installs chromium, chromium-driver (apt) and selenium when missing.
# One JupyterLab and Chromium per worker.
browser-test: $(STAMP)
	tests/browser/install.sh
	$(ONE_THREAD) GAN_COURSE_BROWSER=1 $(BIN)/python -m pytest $(PARALLEL) tests/browser -q -p no:cacheprovider

# After a fork: make set-repo SLUG=owner/name. Writes the repository's name in its one place
# (REPO_SLUG in gan_course/runtime.py) and rewrites the README's links, every Colab badge and setup cell,
# and exercises/.
set-repo: $(STAMP)
	@test -n "$(SLUG)" || { echo "usage: make set-repo SLUG=owner/name" >&2; exit 2; }
	$(BIN)/python -m gan_course set-repo "$(SLUG)"

# Regenerate the paired .ipynb files from the .py sources, and the student exercises.
sync: $(STAMP)
	$(BIN)/python -m gan_course sync
	$(BIN)/python -m gan_course release

clean:
	rm -rf build .pytest_cache
