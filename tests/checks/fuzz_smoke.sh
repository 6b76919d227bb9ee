#!/usr/bin/env bash
# Check: the parsers of untrusted files survive fuzzing. Builds the libFuzzer
# targets of tests/fuzz (make fuzz-build: clang, -fsanitize=fuzzer,address,
# undefined) and runs each for FUZZ_TIME seconds (default 8) over a copy of
# its seed corpus tests/fuzz/corpus/NAME. Fails on any crash, sanitizer
# report, leak, hang, or broken invariant of the target.
#
# Run by tests/run.sh as a check, and by `make fuzz` for longer runs
# (`make fuzz FUZZ_TIME=600`). From the repo root:
#   [BUILD=dir] [FUZZ_TIME=s] [FUZZ_RUNS=n] tests/checks/fuzz_smoke.sh [BUILD]
# Everything it writes is under $BUILD/fuzz: NAME.log (the fuzzer's output),
# corpus/NAME (seeds plus the inputs found, kept between runs, minimised
# when over 1000 files) and
# NAME-crash-*, NAME-leak-*, NAME-timeout-* (the input of a failure; rerun it
# with $BUILD/fuzz/fuzz_NAME FILE).
# clang and libclang-rt-14-dev are required (tests/tools/deps.sh installs them).
# A clean build compiles every target with sanitizers first (minutes on 2
# cores), then some twenty targets run FUZZ_TIME each:
# check-timeout: 900
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
BUILD=${1:-${BUILD:-build}}
FUZZ_TIME=${FUZZ_TIME:-8}
FUZZ_RUNS=${FUZZ_RUNS:-}
FUZZ_CC=${FUZZ_CC:-clang}
# Every tests/fuzz/fuzz_NAME.c is a target, with its seeds in corpus/NAME.
TARGETS=()
for f in tests/fuzz/fuzz_*.c; do n=${f##*/fuzz_}; TARGETS+=("${n%.c}"); done

if ! [[ $FUZZ_TIME =~ ^[1-9][0-9]*$ ]]; then
    echo "fuzz_smoke: FUZZ_TIME must be a whole number of seconds, got '$FUZZ_TIME'"
    exit 1
fi

# --- the toolchain: clang with the libFuzzer and sanitizer runtimes --------
if ! command -v "$FUZZ_CC" >/dev/null 2>&1; then
    echo "fuzz_smoke: $FUZZ_CC not found; install the Debian packages clang and" \
         "libclang-rt-14-dev (make deps)"
    exit 1
fi
probe=$(mktemp -d /tmp/fuzz_smoke.XXXXXX) || exit 1
trap 'rm -rf "$probe"' EXIT
cat >"$probe/probe.c" <<'C'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)data;
    (void)size;
    return 0;
}
C
if ! "$FUZZ_CC" -fsanitize=fuzzer,address,undefined "$probe/probe.c" \
        -o "$probe/probe" >"$probe/cc.log" 2>&1; then
    echo "fuzz_smoke: $FUZZ_CC cannot link a libFuzzer target with ASan and UBSan" \
         "(is libclang-rt-14-dev installed? make deps):"
    sed 's/^/  /' "$probe/cc.log" | head -n 20
    exit 1
fi

# --- build ----------------------------------------------------------------------
mkdir -p "$BUILD/fuzz"
# A clean sub-make: no jobserver or variables inherited from `make test`;
# its own two jobs (a clean clone compiles every target with sanitizers:
# half the check's time when serial).
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -j"$(nproc 2>/dev/null || echo 2)" \
        BUILD="$BUILD" FUZZ_CC="$FUZZ_CC" fuzz-build >"$BUILD/fuzz/build.log" 2>&1; then
    echo "fuzz_smoke: make fuzz-build failed:"
    cat "$BUILD/fuzz/build.log"
    exit 1
fi

# --- run ------------------------------------------------------------------------
status=0
for name in "${TARGETS[@]}"; do
    bin=$BUILD/fuzz/fuzz_$name
    corpus=$BUILD/fuzz/corpus/$name
    log=$BUILD/fuzz/$name.log
    mkdir -p "$corpus"
    # Each run adds the inputs it found; past 1000 files the kept corpus is
    # cut down to the ones that still add coverage (libFuzzer -merge=1).
    if (($(find "$corpus" -type f | wc -l) > 1000)); then
        rm -rf "$corpus.min"
        mkdir -p "$corpus.min"
        if "$bin" -merge=1 "$corpus.min" "$corpus" >"$BUILD/fuzz/$name-merge.log" 2>&1; then
            rm -rf "$corpus"
            mv "$corpus.min" "$corpus"
        else
            rm -rf "$corpus.min"
        fi
    fi
    cp tests/fuzz/corpus/"$name"/* "$corpus"/ || { status=1; continue; }

    # A fixed seed (FUZZ_SEED, default 1) so a test run is repeatable; `make
    # fuzz` passes a random one for the long runs.
    args=(-max_total_time="$FUZZ_TIME" -timeout=10 -rss_limit_mb=2048 -seed="${FUZZ_SEED:-1}"
          -print_final_stats=1 -artifact_prefix="$BUILD/fuzz/$name-")
    [[ -n $FUZZ_RUNS ]] && args+=(-runs="$FUZZ_RUNS")
    rc=0
    timeout -k 10 $((FUZZ_TIME + 60)) "$bin" "${args[@]}" "$corpus" >"$log" 2>&1 || rc=$?

    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' || true)
    if ((rc == 0)); then
        echo "fuzz_$name: ${runs:-?} inputs in ${FUZZ_TIME}s (${rate:-?}/s; ${cov:-?}), no failure"
        continue
    fi
    status=1
    if ((rc == 124 || rc == 137)); then
        echo "FAIL fuzz_$name: did not stop within $((FUZZ_TIME + 60))s - log: $log"
    else
        echo "FAIL fuzz_$name: exit status $rc - log: $log"
    fi
    # The report: from the first error line (a failed check of the target,
    # a sanitizer or libFuzzer error), else the end of the log.
    first=$(grep -nE 'check failed|==ERROR|runtime error|ERROR: libFuzzer' "$log" |
            head -n 1 | cut -d: -f1)
    if [[ -n $first ]]; then
        sed -n "${first},$((first + 35))p" "$log" | sed 's/^/  /'
    else
        tail -n 30 "$log" | sed 's/^/  /'
    fi
    crash=$(sed -n "s/.*Test unit written to //p" "$log" | tail -n 1)
    [[ -n $crash ]] && echo "  input: $crash (rerun: $bin $crash)"
done
exit "$status"
