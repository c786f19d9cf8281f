# cvat-client developer commands. On a fresh machine `make test` and `make demo`
# create the virtual environment they need (.venv) from scratch.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

SCHEMA ?= openapi/cvat.schema.yml
DEST   ?= src/cvat_client/api_client

.PHONY: all venv generate check-generated generate-async check-async test lint format typecheck bench demo docs wheel-check clean mutate

all: test

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

## Regenerate the low-level client: make generate [SCHEMA=path] [DEST=dir]
generate: $(STAMP)
	$(PY) tools/generate.py --schema '$(SCHEMA)' --dest '$(DEST)'

## Fail when the committed generated client differs from a fresh generation.
check-generated: $(STAMP)
	$(PY) tools/generate.py --schema '$(SCHEMA)' --dest '$(DEST)' --check

## Regenerate the async face (core/async_faces.py) from the sync client's classes.
generate-async: $(STAMP)
	$(PY) tools/generate_async.py

## Fail when the committed async face differs from a fresh generation (also a test).
check-async: $(STAMP)
	$(PY) tools/generate_async.py --check

test: $(STAMP)
	$(PY) -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests tools bench examples
	$(VENV)/bin/ruff format --check src tests tools bench examples

format: $(STAMP)
	$(VENV)/bin/ruff check --fix src tests tools bench examples
	$(VENV)/bin/ruff format src tests tools bench examples

typecheck: $(STAMP)
	$(PY) -m mypy

bench: $(STAMP)
	$(PY) bench/run.py $(BENCH_ARGS)

## Mutation testing of the transfer protocol, uploads, downloads, retries and response
## parsing (scope in pyproject's [tool.mutmut]); slow, not part of `make test`.
## Narrow it with globs: make mutate MUTATE_ARGS='"cvat_client.core._protocol.*"'
mutate: $(STAMP)
	$(PY) -m pip install --quiet "mutmut==3.8.1"
	$(VENV)/bin/mutmut run $(MUTATE_ARGS)
	$(VENV)/bin/mutmut results
	$(PY) tools/mutation_table.py --survivors

## The main job: the quick-start example against the embedded test server
## (or against a real server when CVAT_HOST and credentials are set).
demo: $(STAMP)
	$(PY) examples/quickstart.py

## The documentation site, built strictly (warnings are errors) into site/.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --site-dir site

## Build the wheel and import it in a clean virtual environment.
wheel-check: $(STAMP)
	rm -rf dist .wheel-venv
	$(PY) -m build --wheel --outdir dist . >/dev/null
	$(PYTHON) -m venv .wheel-venv
	.wheel-venv/bin/pip install --quiet dist/*.whl
	cd /tmp && $(CURDIR)/.wheel-venv/bin/python -c "import importlib.resources as r, cvat_client, cvat_client.api_client as a; from cvat_client.api_client import ApiClient, Configuration, apis, models, exceptions; from cvat_client import make_client; assert r.files(a).joinpath(a.SCHEMA_FILE).is_file() and r.files(cvat_client).joinpath('py.typed').is_file(); models.LabeledData; apis.TasksApi; print('wheel ok', cvat_client.__version__, a.SCHEMA_VERSION, len(models.__all__))"
	rm -rf .wheel-venv

clean:
	rm -rf $(VENV) dist build .mypy_cache .ruff_cache .pytest_cache
