# The README's two commands, plus the steps they are made of. Each target installs what it needs.
BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
ARM64_BUILD ?= build-arm64
JOBS       ?= $(shell nproc)
# -g1 (line tables): backtraces and perf still resolve, and the build is faster than with full -g.
# Our own builds treat warnings as errors (a consumer running plain CMake does not) and compile
# through ccache. CCACHE_BASEDIR + NOHASHDIR: a clone in another folder hits the same cache.
export CCACHE_BASEDIR   := $(CURDIR)
export CCACHE_NOHASHDIR := 1
export CCACHE_SLOPPINESS := pch_defines,time_macros,include_file_mtime,include_file_ctime
export CCACHE_MAXSIZE   ?= 8G
# UNITY=ON compiles each library and executable as batches of up to 16 files (cmake/unity.cmake):
# the headers (protobuf, FFmpeg, the standard library) are parsed once per batch instead of once
# per file, about a third less compile time for a clean build, and the batches are the same in
# every clone, so ccache hits. UNITY=OFF recompiles only the file you touched: the quicker loop
# when editing one file.
UNITY      ?= ON
# Linked by LLVM's lld (Debian's lld package): linking the ~60 sanitizer test binaries with GNU ld
# took 112 s of a cold CI run's ASan build. The arm64 cross build keeps its toolchain's ld.
LLD        := -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=lld
OUR_FLAGS  := -DFLEETCLIP_WERROR=ON -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache \
              -DFLEETCLIP_UNITY=$(UNITY) $(LLD)
CMAKE_GEN  := -G Ninja $(OUR_FLAGS) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
             -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"
# Sanitizer builds: -O1 with line tables compiles much faster and still symbolizes every report.
# Each test binary is one CTest test there (FLEETCLIP_TEST_EACH_CASE=OFF): a process per test case
# spent most of the sanitizer runs starting processes (CMakeLists.txt says how much).
SAN_GEN    := -G Ninja $(OUR_FLAGS) -DCMAKE_BUILD_TYPE=Sanitize -DCMAKE_CXX_FLAGS_SANITIZE="-O1 -g1" \
             -DCMAKE_C_FLAGS_SANITIZE="-O1 -g1" -DFLEETCLIP_BUILD_BENCH=OFF -DFLEETCLIP_TEST_EACH_CASE=OFF
# One clang build serves the unit tests under ASan+UBSan and the libFuzzer harnesses: compiled
# once with libFuzzer's coverage instrumentation (fuzzer-no-link, inert without the fuzzer
# runtime), instead of a gcc ASan build plus a separate clang fuzz build of the same sources.
ASAN_GEN   := $(SAN_GEN) -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DFLEETCLIP_FUZZ=ON \
              -DFLEETCLIP_SANITIZE=address,undefined,fuzzer-no-link
# arm64: cross-built on Debian multiarch (cmake/aarch64-linux-gnu.cmake), the main build's flags.
ARM64_GEN  := $(CMAKE_GEN) -DCMAKE_TOOLCHAIN_FILE=$(CURDIR)/cmake/aarch64-linux-gnu.cmake -DFLEETCLIP_BUILD_BENCH=OFF \
              -DCMAKE_EXE_LINKER_FLAGS= -DCMAKE_SHARED_LINKER_FLAGS=

.PHONY: all deps build demo test test-e2e test-unit build-asan test-asan build-tsan test-tsan fuzz-smoke \
        bench format clean fuzz package \
        deps-arm64 build-arm64 package-arm64 test-arm64 lint-packages check-build-types

all: build

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD) $(CMAKE_GEN) -DFLEETCLIP_BUILD_BENCH=ON >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# Runs fleetclipd on three synthetic cameras and the bundled drive; clips upload to out/demo/uploaded.
demo: build
	@examples/demo.sh $(BUILD) out/demo

# Every test: the end-to-end ones (real processes, servers, the package) in the optimized build,
# every unit test under ASan+UBSan, the threaded ones also under TSan, then 10 s of each fuzzer.
# scripts/test-all runs them, compiling the sanitizer builds and running the fuzzers beside the
# e2e tests at the lowest priority (they mostly wait on real time); its header says how.
test: build
	@BUILD=$(BUILD) scripts/test-all

# The e2e tests alone (label e2e, the optimized build).
test-e2e: build
	@ctest --test-dir $(BUILD) -L e2e --output-on-failure -j $(JOBS)

# The unit tests in the optimized build, without sanitizers: the quick loop while developing.
test-unit: build
	@cmake --build $(BUILD) -j $(JOBS) --target fleetclip_unit_tests
	@ctest --test-dir $(BUILD) -L unit --output-on-failure -j $(JOBS)

build-asan: deps
	@cmake -S . -B $(ASAN_BUILD) $(ASAN_GEN) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS) --target fleetclip_unit_tests

test-asan: build-asan
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN_BUILD) -L unit -LE fault --output-on-failure -j $(JOBS)
# The fault sweep and power-cut tests (label unit_fault) print what they covered; show those lines.
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN_BUILD) -L fault -V -j $(JOBS) >$(ASAN_BUILD)/fault-tests.log 2>&1 || \
	  { grep -vE '^[0-9]+: (Test command|Working Directory|Environment)' $(ASAN_BUILD)/fault-tests.log | tail -150; exit 1; }
	@grep -hoE '(fault sweep|power cut): .*' $(ASAN_BUILD)/fault-tests.log
	@grep -hE '^[0-9]+% tests passed' $(ASAN_BUILD)/fault-tests.log

build-tsan: deps
	@cmake -S . -B $(TSAN_BUILD) $(SAN_GEN) -DFLEETCLIP_SANITIZE=thread >/dev/null
	@cmake --build $(TSAN_BUILD) -j $(JOBS) --target fleetclip_threaded_tests

test-tsan: build-tsan
	@TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	  ctest --test-dir $(TSAN_BUILD) -L threaded --output-on-failure -j $(JOBS)

# 10 s of each fuzzer, two at a time, in the ASan build: the fuzz run of `make test`.
fuzz-smoke: build-asan
	@fuzz/run.sh 10 $(ASAN_BUILD)

# The libFuzzer harnesses of fuzz/ (every parser of outside bytes) in the clang ASan build,
# FUZZ_SECONDS each, FUZZ_JOBS at a time (docs/fuzzing.md).
FUZZ_SECONDS ?= 600
FUZZ_JOBS    ?= 2
fuzz: deps
	@cmake -S . -B $(ASAN_BUILD) $(ASAN_GEN) >/dev/null
	@FUZZ_JOBS=$(FUZZ_JOBS) nice -n 10 fuzz/run.sh $(FUZZ_SECONDS) $(ASAN_BUILD)

# The Debian package (packaging/README.md): built like `make build`, then CPack; prints its path.
package: build
	@out=$$(cd $(BUILD) && cpack -G DEB 2>&1) || { echo "$$out" >&2; exit 1; }; \
	  echo "$$out" | sed -n 's/^CPack: - package: \(.*\) generated\.$$/\1/p'

# arm64 (packaging/README.md): cross-built with the main build's flags, then CPack; prints its path.
deps-arm64:
	@scripts/install-deps-arm64

build-arm64: deps-arm64
	@cmake -S . -B $(ARM64_BUILD) $(ARM64_GEN) >/dev/null
	@cmake --build $(ARM64_BUILD) -j $(JOBS)

package-arm64: build-arm64
	@out=$$(cd $(ARM64_BUILD) && cpack -G DEB 2>&1) || { echo "$$out" >&2; exit 1; }; \
	  echo "$$out" | sed -n 's/^CPack: - package: \(.*\) generated\.$$/\1/p'

# The arm64 build under qemu-user: the unit tests, then fleetclipd itself (--check, a lavfi camera
# and a replayed drive that must produce a clip). Not part of make test. The threaded tests are
# built but not run by default: qemu-user runs every thread many times slower than a core, and
# their real-time waits are sized for cores; ARM64_TEST_LABELS=unit runs them too.
ARM64_TEST_LABELS ?= ^unit(_fault)?$$
test-arm64: package-arm64
	@cmake --build $(ARM64_BUILD) -j $(JOBS) --target fleetclip_unit_tests
	@ctest --test-dir $(ARM64_BUILD) -L '$(ARM64_TEST_LABELS)' --output-on-failure -j $(JOBS)
	@packaging/test-arm64-daemon.sh $(ARM64_BUILD)

# Debian's own checks (lintian) on both packages; fails on any error (packaging/README.md).
lint-packages: package package-arm64
	@packaging/lint-packages.sh $(BUILD)/fleetclip_*_amd64.deb $(ARM64_BUILD)/fleetclip_*_arm64.deb

# Every build type with GCC 12 and Clang 14, warnings as errors (scripts/check-build-types).
check-build-types:
	@nice -n 10 scripts/check-build-types

bench: build
	@bench/run all

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(ARM64_BUILD) build-types build-fuzz out
