# Waymark: the two commands a newcomer runs are `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/waymark
ARGS ?=
PORT ?= 8000

.PHONY: run test venv lint bench clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

## make run: serve the app on http://127.0.0.1:$(PORT) (PORT=8000 unless given; SQLite unless DATABASE_URL is set)
run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo ""
	@echo "Waymark is starting on http://127.0.0.1:$(PORT)"
	@$(PY) -c "from mentoring.demo import DEMO_USERS, DEMO_PASSWORD; print('Demo sign-ins (password: ' + DEMO_PASSWORD + '):'); [print(f'  {u:<11} {f} {l}, {g.lower()}') for u, f, l, g, _ in DEMO_USERS]"
	@$(PY) -c "from mentoring.demo import DEMO_TOTP_USERNAME as u, DEMO_TOTP_SECRET as s, demo_totp_uri; print(f'Two-factor: {u} has an authenticator app set up. Add this secret to yours: {s}'); print(f'  or scan/open: {demo_totp_uri()}'); print('  The other demo managers and the administrator are let off two-factor while DEBUG is on.')"
	@echo ""
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## make test: the whole suite on PostgreSQL (SQLite with a notice if none answers, outside CI)
test: venv
	@url="$${DATABASE_URL:-$(TEST_DATABASE_URL)}"; \
	if $(PY) scripts/pg_ready.py "$$url"; then \
		export DATABASE_URL="$$url"; echo "Testing on PostgreSQL ($$url)"; \
	elif [ "$$CI" = "true" ]; then \
		echo "ERROR: PostgreSQL is not reachable at $$url and CI=true: the tests must run on PostgreSQL." >&2; exit 1; \
	else \
		echo "NOTICE: no PostgreSQL answers at $$url; running the tests on SQLite instead." >&2; \
		export DATABASE_URL="sqlite:///$(CURDIR)/test-db.sqlite3"; \
	fi; \
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest $(ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

## make bench: build the large synthetic data set in its own database and time the reports
bench: venv
	$(PY) manage.py bench_reports

clean:
	rm -rf $(VENV) db.sqlite3 test-db.sqlite3 .pytest_cache test-artifacts
