# One entry point per task. `make run` and `make test` create .venv when it is missing.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
# The suite runs twice: on SQLite (embedded default) and on the local PostgreSQL.
TEST_PG_URL ?= postgres://postgres@127.0.0.1:5432/tbib_$(shell echo $$$$)
PYTEST_ARGS ?=

.PHONY: install run serve run-edge test test-link test-sqlite test-postgres lint messages bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	TBIB_MODE=demo TBIB_ROLE=hub $(BIN)/tbib demo --port $(PORT)

# The hub again, on its existing demo database (after stopping it with the edge running).
serve: $(STAMP)
	TBIB_MODE=demo TBIB_ROLE=hub $(BIN)/tbib demo --keep --port $(PORT)

# An edge for a pilot unit beside the running hub (`make run` in another terminal): enrols
# with a one-time code from the hub, then serves on EDGE_PORT and replicates every 10 s. The
# demo keeps the edge's key in var/edge/key; a real edge unlocks it at staff sign-in.
EDGE_UNIT ?= midelt-1
EDGE_PORT ?= 8001
EDGE_ENV = TBIB_MODE=demo TBIB_ROLE=edge TBIB_VAR_DIR=$(CURDIR)/var/edge \
	DATABASE_URL=sqlite:///$(CURDIR)/var/edge/edge.sqlite3
run-edge: $(STAMP)
	@test -f var/demo.sqlite3 || { echo "Start the hub first: make run"; exit 1; }
	rm -rf var/edge && mkdir -p var/edge
	$(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > var/edge/key
	$(EDGE_ENV) TBIB_EDGE_DB_KEY=$$(cat var/edge/key) $(BIN)/tbib edge enrol \
		--hub http://127.0.0.1:$(PORT) --code $$(TBIB_MODE=demo TBIB_ROLE=hub \
		DATABASE_URL=sqlite:///$(CURDIR)/var/demo.sqlite3 $(BIN)/tbib edge code --unit $(EDGE_UNIT))
	$(EDGE_ENV) TBIB_EDGE_DB_KEY=$$(cat var/edge/key) $(BIN)/tbib edge serve --port $(EDGE_PORT)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src
	DATABASE_URL= $(BIN)/tbib manage makemigrations --check --dry-run
	@# Known vulnerabilities of the installed dependencies (PyPI's advisory data, network).
	@# A vulnerability fails the build; ignore one only with `--ignore-vuln ID` and its reason
	@# here. Where the data cannot be reached every dependency comes back "could not be
	@# audited" (or the connection fails): nothing was checked, so warn instead of failing.
	@$(BIN)/pip-audit --local --skip-editable --progress-spinner off > $(VENV)/pip-audit.log 2>&1; \
	status=$$?; grep -v "could not be audited" $(VENV)/pip-audit.log; \
	if grep -q "^Found [0-9]* known vulnerabilit" $(VENV)/pip-audit.log; then exit 1; \
	elif grep -q -E "could not be audited|ConnectionError|Max retries" $(VENV)/pip-audit.log; then \
	  echo "WARNING: pip-audit could not reach PyPI's vulnerability data: dependencies NOT audited."; \
	else exit $$status; fi

test-sqlite: $(STAMP)
	DATABASE_URL= $(BIN)/pytest -m "not link" $(PYTEST_ARGS)

test-postgres: $(STAMP)
	DATABASE_URL=$(TEST_PG_URL) $(BIN)/pytest -m "not browser and not link" $(PYTEST_ARGS)

# Hub and edge processes with their own databases, over emulated links (needs root for the
# network namespaces). Mostly waiting on a 64 kbit/s link, so it runs beside the other runs.
test-link: $(STAMP)
	DATABASE_URL= $(BIN)/pytest -m link -p no:cacheprovider $(PYTEST_ARGS)

test: lint
	@mkdir -p var
	@$(MAKE) --no-print-directory test-link > var/test-link.log 2>&1 & echo $$! > var/test-link.pid; \
	$(MAKE) --no-print-directory test-sqlite test-postgres; status=$$?; \
	wait $$(cat var/test-link.pid) 2>/dev/null; \
	while kill -0 $$(cat var/test-link.pid) 2>/dev/null; do sleep 2; done; \
	cat var/test-link.log; \
	grep -q "passed" var/test-link.log && ! grep -qE "[0-9]+ (failed|error)" var/test-link.log && exit $$status; \
	echo "link tests failed"; exit 1

messages: $(STAMP)
	cd src/tbib && ../../$(BIN)/tbib manage makemessages -l fr -l ar -l en --no-obsolete
	cd src/tbib && ../../$(BIN)/tbib manage compilemessages

bench: $(STAMP)
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
