# Shortcuts; `serve` and `test` are the README's two commands (bash .ci/dev ...).
# Extra arguments: make test ARGS="-k booking -x"; make bench ARGS="--db sqlite".

VENV      := .venv
BIN       := $(VENV)/bin
ARGS      ?=
PG_URL    ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
UV        ?= $(shell command -v uv 2>/dev/null || echo $(BIN)/uv)

.PHONY: messages help setup serve test test-postgres lint format migrate demo-data worker bench lock vendor clean distclean

help:
	@echo "make setup          system packages (as root), .venv, locked dependencies"
	@echo "make serve          migrate, demo data, worker + app on http://127.0.0.1:8000"
	@echo "make test           ruff, mypy, pytest -n 2 on SQLite   (ARGS=... for pytest)"
	@echo "make test-postgres  pytest on PostgreSQL at PG_URL=$(PG_URL)"
	@echo "make lint           ruff check, ruff format --check, mypy"
	@echo "make format         ruff check --fix, ruff format"
	@echo "make migrate | demo-data | worker   the hearing commands, on HEARING_DATABASE_URL"
	@echo "make bench          bench/run: every benchmark, one table of ratios (ARGS=... e.g. --db sqlite)"
	@echo "make mutation       mutmut on the rule modules, serial, from scratch (docs/mutation.md)"
	@echo "make messages       extract interface texts into service/locale (then translate nl;"
	@echo "                   the kiosk texts (kiosk.po) in every kiosk language: hearing forms check)"
	@echo "make lock           regenerate requirements.lock from pyproject.toml with uv"
	@echo "make vendor         refresh the vendored front-end assets (pinned in .ci/vendor)"
	@echo "make clean          caches and build output; distclean also .venv and var/"

setup:
	bash .ci/dev setup

serve:
	bash .ci/dev serve $(ARGS)

test:
	bash .ci/dev test $(ARGS)

# The conftest creates (and drops) a fresh database per xdist worker next to PG_URL's.
test-postgres:
	HEARING_SKIP_LINT=1 HEARING_TEST_DATABASE_URL='$(PG_URL)' bash .ci/dev test $(ARGS)

lint:
	bash .ci/dev lint

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate: setup
	$(BIN)/hearing migrate

demo-data: setup
	$(BIN)/hearing demo-data

worker: setup
	$(BIN)/hearing worker

bench: setup
	bench/run $(ARGS)

# Mutation testing of the procedure's rules ([tool.mutmut] in pyproject.toml). Serial:
# mutmut's parallel children share the test database and report false kills. Fails when
# fewer than MUTATION_MIN percent of the mutants are killed.
MUTATION_MIN ?= 95
mutation: setup
	rm -rf mutants
	@start=$$(date +%s); PYTHONHASHSEED=0 $(BIN)/mutmut run --max-children 1 || exit 1; \
	echo "mutmut run took $$(( $$(date +%s) - start )) s"
	@$(BIN)/mutmut export-cicd-stats >/dev/null
	@echo "Not killed:"; $(BIN)/mutmut results
	@$(BIN)/python -c 'import json, sys; s = json.load(open("mutants/mutmut-cicd-stats.json")); \
	k, t = s["killed"], s["total"]; \
	print("mutation: %d killed, %d survived, %d timeout, %d no tests, %d total: score %.1f%% (minimum $(MUTATION_MIN)%%)" \
	% (k, s["survived"], s["timeout"], s["no_tests"], t, 100 * k / t)); \
	sys.exit(100 * k < $(MUTATION_MIN) * t)'

lock:
	@test -x "$(UV)" || { echo "uv not found: pip install uv (or $(BIN)/pip install uv)"; exit 1; }
	$(UV) pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock
	$(UV) pip compile requirements-build.in --generate-hashes --python-version 3.11 -o requirements-build.lock

vendor:
	bash .ci/vendor

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) var

# Interface texts: extract from code and templates, merge into each catalogue.
messages: setup
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _ --no-location --sort-output --omit-header \
		-o service/locale/messages.pot .
	$(BIN)/pybabel update -i service/locale/messages.pot -d service/locale --ignore-obsolete
	$(BIN)/pybabel extract -F babel-kiosk.cfg -k k_ -k K_ --no-default-keywords --no-location \
		--sort-output --omit-header -o service/locale/kiosk.pot .
	$(BIN)/pybabel update -D kiosk -i service/locale/kiosk.pot -d service/locale --ignore-obsolete
