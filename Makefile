# Veikart: `make run` for a demo on this machine, `make test` for the whole suite.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1:8000

.PHONY: run test install install-test browser pango lint format typecheck security migrate seed messages clean

## npm brings plotly.js' basic build (scatter, bar, pie; served to users) and axe-core (browser tests only).
$(VENV)/.installed: pyproject.toml package.json package-lock.json
	test -d $(VENV) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	npm install --no-audit --no-fund --silent
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml package.json
	$(PIP) install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed pango
install-test: $(VENV)/.installed-test browser pango

## Pango, which WeasyPrint (the board report's PDF) loads; Debian installs it with most desktops.
pango:
	@ldconfig -p | grep -q libpango-1.0 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; \
	  else echo "The board report needs Pango: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0"; fi; }

## Debian's Chromium for the browser tests (Playwright cannot download its own browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need Debian's chromium: sudo apt-get install chromium"; fi; }

migrate: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_strategy

seed: migrate
	$(PY) manage.py seed_demo --scale small --if-empty

run: seed
	$(PY) manage.py runserver $(HOST)

## Two processes: files that share a Redis server run in one of them (tests/conftest.py).
test: install-test
	$(VENV)/bin/pytest -n 2 --dist loadgroup

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

## mypy with django-stubs over the domain apps and the API (settings in pyproject.toml).
typecheck: install-test
	$(VENV)/bin/mypy

format: install-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Static security checks: bandit, and semgrep with the local rules in .semgrep/ (semgrep has
## its own venv: it pins libraries the app also uses).
SEC_VENV ?= .venv-security
$(SEC_VENV)/.installed:
	test -d $(SEC_VENV) || python3 -m venv $(SEC_VENV)
	$(SEC_VENV)/bin/pip install --quiet "semgrep>=1.100,<2"
	touch $@

security: install-test $(SEC_VENV)/.installed
	# Medium severity and up: ruff's S rules already flag the low ones, each kept case with a
	# reasoned noqa (the demo password, the seeded random generator of seed_demo).
	$(VENV)/bin/bandit -q -c pyproject.toml -r . --severity-level medium
	$(SEC_VENV)/bin/semgrep scan --config .semgrep --metrics=off --disable-version-check --error --quiet .

## Refresh the Norwegian message catalogue after changing UI strings.
messages: install
	$(PY) manage.py makemessages -l nb --ignore=.venv --ignore=staticfiles --ignore=node_modules
	$(PY) manage.py compilemessages -l nb --ignore=.venv

clean:
	rm -rf $(VENV) $(SEC_VENV) db.sqlite3 staticfiles
