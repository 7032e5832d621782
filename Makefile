# Front door. `make demo` and `make test` install what is missing, build, and run.
.PHONY: all deps build test demo asan test-asan fuzz fuzz-smoke bench format check-format check-layering clean

JOBS ?= $(shell nproc)

all: build

deps:
	@scripts/install-deps

build: deps
	@cmake --preset release >/dev/null
	@cmake --build build -j $(JOBS)

test: build check-layering
	@ctest --test-dir build --output-on-failure -j $(JOBS) --timeout 600
	@scripts/fuzz-smoke

demo: build
	@scripts/demo

# Debug build with AddressSanitizer and UndefinedBehaviorSanitizer.
asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build build-asan -j $(JOBS)

test-asan: asan
	@ctest --test-dir build-asan --output-on-failure -j $(JOBS) --timeout 1200

# libFuzzer targets (clang); `make fuzz-smoke` runs each briefly over its seed corpus.
fuzz: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build build-fuzz -j $(JOBS)

fuzz-smoke:
	@scripts/fuzz-smoke

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
