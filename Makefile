# XRayLens. `make run` installs what is missing, builds and serves; `make test` runs every test.
SHELL := /bin/bash
export NODE_PATH := /usr/share/nodejs
PY := /usr/bin/python3
DATA ?= ../shared/cxr-data
# The shipped models' recipe (training/train.py RECIPES; chosen on leave-one-source-out folds, docs/eval/what_we_tried.md)
RECIPE ?= appearance_without_stanford
PORT ?= 8000
NATIVE := build/native
WASM := build/wasm
SITE := build/site

.PHONY: all setup build native wasm site dist offline-zip run test test-setup test-native test-node test-e2e bench \
        train train-lungs train-baseline train-smoke eval eval-smoke gate-smoke test-training data test-python test-sanitize fuzz fuzz-long clean test-batch

all: build

setup:
	scripts/setup.sh

build: setup native wasm site

native:
	cmake -S . -B $(NATIVE) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build $(NATIVE)

wasm:
	emcmake cmake -S . -B $(WASM) -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CROSSCOMPILING_EMULATOR=/usr/bin/node >/dev/null
	cmake --build $(WASM)

site:
	scripts/assemble_site.sh $(WASM) $(SITE)

# A static site for any host (hashed names, _headers, .gz siblings) and the offline bundle.
dist: build
	node tools/make_dist.mjs $(SITE) dist

offline-zip: dist
	$(PY) tools/make_offline_zip.py dist build/xraylens-offline.zip

run: build
	$(PY) serve.py --dir $(SITE) --port $(PORT)

test: build test-setup test-native test-sanitize fuzz test-node test-e2e test-python test-training

# set-up's source fetch against a fake archive that lists three versions and serves the older two (no network)
test-setup:
	tests/setup/fetch_source_test.sh

test-native:
	ctest --test-dir $(NATIVE) --output-on-failure

test-node:
	node --test tests/node/

test-e2e:
	node --test --test-concurrency=1 $(wildcard tests/e2e/*.test.mjs)

# The batch-mode browser test alone (a folder of 200 real images; also part of test-e2e).
test-batch:
	node --test --test-concurrency=1 tests/e2e/batch.test.mjs

# The native tests again, built with AddressSanitizer and UBSan (any finding fails the run).
test-sanitize:
	cmake -S . -B build/native-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXRAYLENS_SANITIZE=ON >/dev/null
	cmake --build build/native-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir build/native-asan --output-on-failure

# libFuzzer targets (tests/fuzz, clang, ASan + UBSan), FUZZ_SECONDS each, FUZZ_JOBS at a time (two where
# there are two cores: each target still has a core for its seconds); `make test` runs them for 60 s.
FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= $(shell [ "$$(nproc)" -ge 2 ] && echo 2 || echo 1)
fuzz:
	FUZZ_JOBS=$(FUZZ_JOBS) tests/fuzz/run_fuzz.sh $(FUZZ_SECONDS)

# A long campaign: FUZZ_LONG_SECONDS a target (default 30 min), two at a time, started again after a finding.
FUZZ_LONG_SECONDS ?= 1800
fuzz-long:
	FUZZ_JOBS=2 FUZZ_KEEP_GOING=1 tests/fuzz/run_fuzz.sh $(FUZZ_LONG_SECONDS)

test-python:
	$(PY) -m unittest discover -s tests/python -p 'test_*.py'

# The training pipeline end to end on a tiny subset: classifiers, their evaluation through the
# predictor, and the input gate (outputs under build/, never models/ or docs/).
test-training: train-smoke eval-smoke gate-smoke

bench: build
	node tools/bench.mjs

# Training and evaluation (Debian's PyTorch in /usr/bin/python3); see training/README.md.
# `make train` makes the two classifiers (with their leave-one-source-out folds and source classifiers)
# from the committed lung model, whose masks make the lung fields; `make train-lungs` remakes that model.
train: native
	$(PY) -m training.train --data $(DATA) --out models --recipe $(RECIPE)

train-lungs: native
	$(PY) -m training.lungs.train --data $(DATA) --out models

# The plain baseline (no measures against shortcuts) for the audits' comparison, into build/baseline/.
train-baseline: native
	$(PY) -m training.train --data $(DATA) --out models --variants baseline

train-smoke: native
	$(PY) -m training.lungs.train --data $(DATA) --out build/smoke-models --smoke
	$(PY) -m training.train --data $(DATA) --out build/smoke-models --smoke

# The previous models for the before/after audits are files (models/previous/), so a tarball or a
# shallow clone evaluates as well as a full one.
eval: build
	$(PY) -m training.evaluate --data $(DATA) --models models

eval-smoke: build
	$(PY) -m training.evaluate --data $(DATA) --models build/smoke-models --smoke

gate-smoke: native
	$(PY) -m training.gate --data $(DATA) --out build/smoke-models --smoke

# Manifest + splits + cache from downloaded collections (training/dataprep/README.md), e.g.
#   make data DATAPREP_ARGS="--ieee8023 ~/covid-chestxray-dataset --kermany ~/chest_xray"
data: native
	$(PY) -m training.dataprep --out build/data $(DATAPREP_ARGS)

clean:
	rm -rf build dist
