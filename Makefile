# Two commands for a new machine: `make run` (the site with demo content) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
APT    := DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends
# Build steps read the settings, which need a key; the real one lives in .env or the environment.
BUILD_ENV := SECRET_KEY=$${SECRET_KEY:-build-only-not-secret}

.PHONY: run stack admin lighthouse test lint migrations-check bench setup system-packages lock

$(BIN)/.installed: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.txt
	touch $@

# Debian packages the project needs: gettext (compilemessages), Chromium (browser tests), wrk (bench),
# Varnish, HAProxy and Redis (make stack, its tests and bench), which make stack runs as child
# processes of its own: their system services are never used.
system-packages:
	@missing=""; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v wrk >/dev/null || missing="$$missing wrk"; \
	PATH="$$PATH:/usr/sbin:/sbin" command -v varnishd >/dev/null || missing="$$missing varnish"; \
	PATH="$$PATH:/usr/sbin:/sbin" command -v haproxy >/dev/null || missing="$$missing haproxy"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then apt-get update -q && $(APT) $$missing; fi

# Fresh secrets for development: Django's key, and the receipts' Ed25519 key (any 32 random bytes).
RECEIPT_KEY_CMD := $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(32))'
.env:
	sed -e "s|^SECRET_KEY=.*|SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')|" \
	    -e "s|^CONSENT_RECEIPT_KEY=.*|CONSENT_RECEIPT_KEY=$$($(RECEIPT_KEY_CMD))|" .env.example > .env

setup: $(BIN)/.installed system-packages
	$(BUILD_ENV) $(BIN)/python manage.py compilemessages --ignore=$(VENV) -v0

# Migrates, loads the demo content and serves; Ctrl-C or SIGTERM stops the server, then the database.
run: setup .env
	@# A .env written before receipts existed gets a receipt key too.
	@grep -q '^CONSENT_RECEIPT_KEY=.' .env || { sed -i '/^CONSENT_RECEIPT_KEY=/d' .env; echo "CONSENT_RECEIPT_KEY=$$($(RECEIPT_KEY_CMD))" >> .env; }
	$(BIN)/python manage.py dev 127.0.0.1:$(PORT)

# The production shape on 127.0.0.1: Varnish → HAProxy → two gunicorn servers, Redis, the embedded
# PostgreSQL (or DATABASE_URL); prints the front URL; Ctrl-C or SIGTERM stops everything.
stack: setup .env
	$(BUILD_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py stack

# The first admin account (asks for a username, an e-mail address and a password).
admin: setup .env
	$(BIN)/python manage.py createsuperuser

test: setup
	$(BIN)/pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@# The django-stubs plugin reads the settings; a DATABASE_URL keeps it from starting a database.
	$(BUILD_ENV) DATABASE_URL=postgres://typecheck@localhost/unused $(BIN)/mypy
	$(BIN)/lint-imports  # the import rules of docs/architecture.md (pyproject.toml, [tool.importlinter])

migrations-check: $(BIN)/.installed
	$(BUILD_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

bench: setup
	$(BIN)/python bench/run.py

# Lighthouse (npm, pinned in bench/lighthouse/package-lock.json, installed there) on every public page.
bench/lighthouse/node_modules/.package-lock.json: bench/lighthouse/package-lock.json
	cd bench/lighthouse && npm ci --no-audit --no-fund --silent

lighthouse: setup bench/lighthouse/node_modules/.package-lock.json
	$(BIN)/python bench/lighthouse.py

# Re-lock after editing requirements*.in.
lock: $(BIN)/.installed
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile --quiet --generate-hashes --no-emit-index-url --no-emit-find-links --python-version 3.11 requirements.in -o requirements.txt
	$(BIN)/uv pip compile --quiet --generate-hashes --no-emit-index-url --no-emit-find-links --python-version 3.11 requirements-scan.in -o requirements-scan.txt
	$(BIN)/uv pip compile --quiet --generate-hashes --no-emit-index-url --no-emit-find-links --python-version 3.11 requirements-dev.in -o requirements-dev.txt
