# Front door. `make demo` and `make test` install what is missing, build, and run.
.PHONY: all deps build test test-long demo asan test-asan fuzz fuzz-smoke bench format check-format check-layering clean

JOBS ?= $(shell nproc)

all: build

deps:
	@scripts/install-deps

build: deps
	@cmake --preset release >/dev/null
	@cmake --build build -j $(JOBS)

# Sanitizer reports fail the run (UBSan would otherwise print and carry on).
SANITIZER_ENV = UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1

test: build check-layering
	@ctest --test-dir build --output-on-failure -j $(JOBS) --timeout 600
	@$(SANITIZER_ENV) scripts/fuzz-run smoke
	@$(SANITIZER_ENV) ctest --test-dir build-fuzz -L unit --output-on-failure -j $(JOBS) --timeout 1200

demo: build
	@scripts/demo

# Multi-node, fault and load scenarios (minutes; not part of `make test`): docs/deployment.md.
test-long: build
	@scripts/install-deps --long
	@tests/multinode/run

# Debug build with AddressSanitizer and UndefinedBehaviorSanitizer.
asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build build-asan -j $(JOBS)

test-asan: asan
	@ctest --test-dir build-asan --output-on-failure -j $(JOBS) --timeout 1200

# libFuzzer targets (clang, ASan/UBSan). `make fuzz` runs each for FUZZ_SECONDS (default 60),
# growing build-fuzz/corpus/; `make fuzz-smoke` is the short run `make test` does (docs/fuzzing.md).
fuzz: deps
	@$(SANITIZER_ENV) scripts/fuzz-run campaign

fuzz-smoke: deps
	@$(SANITIZER_ENV) scripts/fuzz-run smoke

bench: build
	@build/bin/vouch-bench

format:
	@git ls-files '*.h' '*.cc' | xargs clang-format -i

check-format:
	@git ls-files '*.h' '*.cc' | xargs clang-format --dry-run --Werror

check-layering:
	@scripts/check-layering

clean:
	@rm -rf build build-asan build-fuzz
