# ETAGE — every command a newcomer needs. Only Python >= 3.11 is required beforehand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
SEED ?= 2019
# The embedded default database lives under var/ unless DATABASE_URL says otherwise.

.PHONY: help install install-dev install-browser demo serve test test-browser lint format typecheck check-migrations messages clean bench-import bench-analytics

help:
	@echo "make demo          installe, migre, crée les données fictives et sert sur http://$(HOST):$(PORT)"
	@echo "make test          installe ce qu'il faut et lance toute la suite de tests (SQLite par défaut)"
	@echo "make test-browser  parcours dans Chromium avec audit axe-core (Chromium de Debian requis)"
	@echo "make lint          ruff (format et règles) et mypy"
	@echo "make messages      met à jour le catalogue français locale/fr et le compile (GNU gettext requis)"
	@echo "make bench-import  mesure l'import d'une extraction d'un million de lignes (voir docs/performance.md)"
	@echo "make bench-analytics mesure indicateurs, carte des processus et variantes à l'échelle nationale (voir docs/performance.md)"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "ETAGE demande Python >= 3.11 (trouvé : " + sys.version.split()[0] + ")")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(PY) pyproject.toml
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

$(VENV)/.installed-browser: $(VENV)/.installed-dev pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev,browser]'
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev
install-browser: $(VENV)/.installed-browser

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py etage_demo --seed $(SEED)
	@echo ""
	@echo "ETAGE est servi sur http://$(HOST):$(PORT)/ (Ctrl+C pour arrêter)."
	@echo "Le processus des tâches de fond (imports) tourne à côté ; il s'arrête avec le serveur."
	@$(PY) manage.py db_worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

serve: install
	$(PY) manage.py runserver $(HOST):$(PORT)

check-migrations: install-dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

test: install-dev check-migrations
	$(BIN)/pytest -n auto --dist loadfile -m "not browser" --ignore=tests/browser $(PYTEST_ARGS)

test-browser: install-browser
	$(BIN)/pytest -m browser tests/browser $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy .

# The French catalogue: English source strings are extracted into locale/fr/LC_MESSAGES/django.po
# (fill in every empty msgstr), then compiled to django.mo, which is committed so that a machine
# with only Python shows French. Needs GNU gettext (Debian: apt-get install gettext).
MESSAGES_IGNORE := -i .venv -i var -i tests -i benchmarks -i '*.egg-info'

messages: install
	@command -v xgettext >/dev/null 2>&1 && command -v msgfmt >/dev/null 2>&1 || { \
	  echo "make messages demande GNU gettext (xgettext, msgmerge, msgfmt) : apt-get install gettext" >&2; \
	  exit 1; }
	$(PY) manage.py makemessages -l fr --no-obsolete --add-location=file $(MESSAGES_IGNORE)
	$(PY) manage.py compilemessages -l fr -i .venv -i var

# Import of a generated 1,000,000-line extract against a raw bulk insert (docs/performance.md).
# SQLite scratch file under var/bench/ unless DATABASE_URL names a database made for it.
bench-import: install
	$(PY) benchmarks/import_arrears.py $(BENCH_ARGS)

# Indicators, process map and variants on a generated national log (520,000 situations, ≈ 7.9
# million events, written once under var/bench/) against raw DuckDB and pm4py (docs/performance.md).
bench-analytics: install-dev
	$(PY) benchmarks/analytics/run.py $(BENCH_ARGS)

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var/ .pytest_cache .mypy_cache .ruff_cache
