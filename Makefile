# commsim: `make demo` and `make test` set everything up on a fresh machine.
# Mesa 3.5 needs Python >= 3.12; plain python3 here may be 3.11, so we look for 3.12+.

VENV      := .venv
PY        := $(VENV)/bin/python
STAMP     := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
FIND_PY   := for c in python3.13 python3.12 $$HOME/.pyenv/versions/3.12.1/bin/python3 \
                 $$HOME/.pyenv/versions/3.13.0/bin/python3 python3; do \
               if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; \
               then command -v $$c; break; fi; done

.PHONY: demo test bench validate calibrate lint golden screenshots clean bytecode

$(STAMP): pyproject.toml
	@base=$$($(FIND_PY)); \
	if [ -z "$$base" ]; then echo "commsim needs Python >= 3.12 (pyenv install 3.12)"; exit 1; fi; \
	if [ ! -x $(PY) ]; then echo "creating $(VENV) with $$base"; $$base -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@$(MAKE) --no-print-directory bytecode
	@rm -f $(VENV)/.installed-*; touch $@

demo: $(STAMP) bytecode
	$(VENV)/bin/commsim run scenarios/showcase.yaml --out runs/showcase

test: $(STAMP) bytecode
	$(VENV)/bin/ruff check sim agents tests benchmarks
	@# the architecture (docs/architecture.md): parts import only the parts below them, no circles
	$(VENV)/bin/lint-imports
	@# the browser tests (report, dashboard) need Debian's chromium and its driver (root
	@# installs them; without root the browser tests are skipped and say why)
	(command -v chromium >/dev/null && command -v chromedriver >/dev/null) || [ "$$(id -u)" -ne 0 ] \
	  || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver)
	$(PY) -m pytest -q

bench: $(STAMP) bytecode
	$(PY) benchmarks/bench_engine.py
	$(PY) benchmarks/bench_sweep.py
	$(PY) benchmarks/bench_memory.py
	$(PY) benchmarks/bench_chats.py
	$(PY) benchmarks/bench_optimize.py
	$(PY) benchmarks/bench_fit.py --cases 2 --trials 40 --formats csv,wechat

# the full validation suite (T1-T6 as the experiment files say; about a minute on 2 cores)
validate: $(STAMP)
	$(VENV)/bin/commsim validate --out runs/validation

# the Optuna study that chooses the behavioural defaults (docs/validation.md): stored in
# runs/calibration/study.db, so stopping it (Ctrl-C) and running it again resumes
calibrate: $(STAMP) bytecode
	$(VENV)/bin/commsim calibrate --out runs/calibration

# docs/screenshots/: the showcase's report, every dashboard tab and an optimization report's
# front (of a small study the tests make), taken by the browser tests
screenshots: $(STAMP)
	$(VENV)/bin/commsim run scenarios/showcase.yaml --out runs/showcase --quiet
	COMMSIM_SCREENSHOTS=docs/screenshots COMMSIM_SCREENSHOT_REPORT=runs/showcase/report.html \
	  $(PY) -m pytest -q tests/test_report/test_report_browser.py tests/test_dashboard

# our own modules' bytecode: an editable install gets none, and with
# PYTHONDONTWRITEBYTECODE set (as on these machines) Python would recompile every
# module of sim/ and agents/ at each start (0.2-0.3 s of `import sim`)
bytecode:
	@$(PY) -m compileall -q sim agents benchmarks >/dev/null

golden: $(STAMP)
	$(PY) -m tests.test_golden.regenerate

lint: $(STAMP)
	$(VENV)/bin/ruff check sim agents tests benchmarks
	$(VENV)/bin/lint-imports

# numba keeps compiled kernels next to the sources (__pycache__/*.nbi, *.nbc) and adds
# entries as the kernels change; a checkout whose cache had grown to 424 entries ran
# sweeps a fifth slower (25.6 against 32.5 runs/s on one worker) until it was cleared
clean:
	rm -rf $(VENV) runs .pytest_cache .hypothesis .ruff_cache
	find sim agents -name '*.nbi' -delete
	find sim agents -name '*.nbc' -delete
