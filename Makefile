# Voronka: `make run` starts the demo, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := voronka.settings

.PHONY: run test venv deps devdeps messages compilemessages lint fast bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.deps: requirements.txt $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.devdeps: requirements-dev.txt requirements.txt $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.deps

compilemessages: $(VENV)/.deps
	$(PY) -m babel.messages.frontend compile -d locale -D django

run: $(VENV)/.deps compilemessages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_seed --if-empty
	$(PY) manage.py collectstatic --noinput -v 0
	@echo "Background jobs (imports, forecast refresh, duplicate scan): manage.py db_worker"
	$(PY) manage.py db_worker --queue-name '*' --no-reload -v 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: $(VENV)/.devdeps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

test: $(VENV)/.devdeps compilemessages lint
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -q -n 2 --dist loadgroup -m "not browser"
	$(PY) -m pytest -q -m browser

fast: $(VENV)/.devdeps compilemessages
	$(PY) -m pytest -q -x -m "not browser"

messages:
	$(PY) manage.py makemessages -l ru --no-location --no-obsolete -i ".venv/*" -i "bench/*"

bench: $(VENV)/.deps
	$(PY) bench/pages.py

clean:
	rm -rf $(VENV) db.sqlite3* media staticfiles
