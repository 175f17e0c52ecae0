# ETAGE — every command a newcomer needs. Only Python >= 3.11 is required beforehand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
SEED ?= 2019
# The embedded default database lives under var/ unless DATABASE_URL says otherwise.

.PHONY: help install install-dev install-browser demo serve test test-browser guide lint format typecheck check-migrations messages clean bench-import bench-analytics install-bench bench bench-web bench-simulation

help:
	@echo "make demo          installe, migre, crée les données fictives et sert sur http://$(HOST):$(PORT)"
	@echo "make test          installe ce qu'il faut et lance toute la suite de tests (SQLite par défaut)"
	@echo "make test-browser  parcours dans Chromium avec audit axe-core (Chromium de Debian requis)"
	@echo "make guide         refait les captures du guide utilisateur (docs/guide/images) par les parcours du navigateur"
	@echo "make lint          ruff (format et règles) et mypy"
	@echo "make messages      met à jour le catalogue français locale/fr et le compile (GNU gettext requis)"
	@echo "make bench-import  mesure l'import d'une extraction d'un million de lignes (voir docs/performance.md)"
	@echo "make bench-analytics mesure indicateurs, carte des processus et variantes à l'échelle nationale (voir docs/performance.md)"
	@echo "make bench         tous les bancs de mesure (import, analyses, web, simulation), une ligne JSON par mesure"
	@echo "make bench-web     charge des pages sous gunicorn (réglages de production) avec locust, contre une page de référence"
	@echo "make bench-simulation simulation d'une année de métropole (100 réplications) contre un modèle SimPy nu"

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

$(VENV)/.installed-bench: $(VENV)/.installed-dev pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	@touch $@

$(VENV)/.installed-browser: $(VENV)/.installed-dev pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev,browser]'
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev
install-browser: $(VENV)/.installed-browser
install-bench: $(VENV)/.installed-bench

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

# Every journey, the persona journeys included (tests/browser/personas/, one file per person,
# which also take the guide's pictures when `make guide` asks for them).
# Two workers (one Chromium and one live server each), a file per worker at a time; the
# axe-core summary gathers both workers' audits.
test-browser: install-browser
	$(BIN)/pytest -m browser -n 2 --dist loadfile tests/browser $(PYTEST_ARGS)

# The French user guide's pictures: taken by the guide's journeys on the demo data (never by
# hand), then checked against the pages that show them (tests/docs/test_guide.py).
GUIDE_IMAGES := docs/guide/images
guide: install-browser
	rm -f $(GUIDE_IMAGES)/*.png
	ETAGE_GUIDE_SHOTS=$(CURDIR)/$(GUIDE_IMAGES) $(BIN)/pytest -m browser tests/browser/personas $(PYTEST_ARGS)
	$(BIN)/pytest -q tests/docs/test_guide.py
	@ls -1s $(GUIDE_IMAGES)
	@du -sh $(GUIDE_IMAGES)

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

# Hot pages under load: gunicorn with the production settings on loopback, locust (16 users)
# from a second process, each page against a reference page of the same server (docs/performance.md).
bench-web: install-bench
	$(PY) benchmarks/web.py $(BENCH_ARGS)

# A metropolis-year, 100 replications, through ETAGE's engine against a bare SimPy model.
bench-simulation: install
	$(PY) benchmarks/simulation.py $(BENCH_ARGS)

# Every benchmark, one JSON line per measure with its baseline ratio. BENCH_SCALE (small,
# metropolis, national) sizes the generated data of the web and analytics benchmarks;
# BENCH_IMPORT_LINES the arrears extract.
BENCH_SCALE ?= small
BENCH_IMPORT_LINES ?= 100000
# The last line gives the wall time of each step and of the whole run (benchmarks/all.py).
# pm4py on 100,000 cases and on the whole log only (make bench-analytics runs the whole ladder
# of subsets, which showed pm4py linear in the cases): a minute less for the one command.
BENCH_PM4PY_SIZES ?= 100000,all
bench: install-bench
	$(PY) benchmarks/all.py --scale $(BENCH_SCALE) --import-lines $(BENCH_IMPORT_LINES) \
	  $(if $(BENCH_PM4PY_SIZES),--pm4py-sizes $(BENCH_PM4PY_SIZES))

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var/ .pytest_cache .mypy_cache .ruff_cache
