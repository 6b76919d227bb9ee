#!/usr/bin/env bash
# Test runner called by `make test` (and `make asan`).
#
# Runs, from the repo root, headless (SDL dummy video/audio drivers):
#   - every executable $BUILD/tests/test_* (cmocka), with a timeout, output in
#     $BUILD/test-logs/NAME.log (and on the terminal);
#   - every tests/checks/*.sh, and tests/tools/check_locales.sh $BUILD: each one
#     check, passed when it exits 0 (log: $BUILD/test-logs/check-NAME.log).
# The last line printed is always `N passed, N failed` (`, N skipped` added when
# cmocka skipped tests). Exit status 1 if anything failed, else 0.
#
# Nothing is left running: every test and check carries KIOSK_TEST_RUN in its
# environment, inherited by whatever it starts (hub, simulators, Xvfb, forked
# kiosks), even what daemonises or starts a new session. After each one, any
# process still carrying its mark is killed, and a test that passed but left
# one behind fails. An interrupted run (Ctrl-C, SIGTERM) kills them too.
#
# Environment:
#   BUILD=dir        build directory (default: build)
#   RUN_ONLY=pat     only run test binaries and checks whose name contains pat
#   VALGRIND=1       run each test binary under valgrind (tests/valgrind.supp)
#   TEST_TIMEOUT=s   seconds per test binary (default 300, 1200 with VALGRIND=1)
#   CHECK_TIMEOUT=s  seconds per check script (default 300; a script's own
#                    "# check-timeout: S" line may raise it)
set -uo pipefail   # no -e: a failing test must not stop the run

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
BUILD=${BUILD:-build}
RUN_ONLY=${RUN_ONLY:-}
VALGRIND=${VALGRIND:-}
if [[ $VALGRIND == 1 ]]; then
    TEST_TIMEOUT=${TEST_TIMEOUT:-1200}
else
    TEST_TIMEOUT=${TEST_TIMEOUT:-300}
fi
CHECK_TIMEOUT=${CHECK_TIMEOUT:-300}

export BUILD
export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy
export CMOCKA_MESSAGE_OUTPUT=STDOUT   # the format parsed below
unset CMOCKA_XML_FILE

logdir=$BUILD/test-logs
mkdir -p "$logdir"

total_pass=0 total_fail=0 total_skip=0 ran=0
run_id="$$-$(date +%s%N)"
failures=()   # one "name: why" per failed binary / check

# Why a non-zero exit status is not a plain test failure.
status_reason() {
    local rc=$1 timeout=$2
    if ((rc == 124)); then
        echo "timed out after ${timeout}s"
    elif ((rc == 99)) && [[ $VALGRIND == 1 ]]; then
        echo "valgrind reported errors"
    elif ((rc > 128)); then
        echo "killed by signal $((rc - 128)) ($(kill -l $((rc - 128)) 2>/dev/null || echo '?'))"
    else
        echo "exit status $rc"
    fi
}

# --- processes left behind ----------------------------------------------------
# PIDs of live processes whose environment holds KIOSK_TEST_RUN=MARK (or,
# with a second argument, any mark that starts with MARK).
marked_pids() {
    local f pid
    # grep -z: the environment is NUL-separated; one grep over every process.
    for f in $(grep -lzs -- "^KIOSK_TEST_RUN=$1${2:+.*}\$" /proc/[0-9]*/environ 2>/dev/null); do
        pid=${f#/proc/}
        pid=${pid%/environ}
        [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
        echo "$pid"
    done
}

# Kills whatever MARK (a prefix with a second argument) left running;
# prints "pid (command)" for each.
reap() {
    local pids p out=""
    pids=$(marked_pids "$@")
    [[ -z $pids ]] && return 0
    for p in $pids; do
        out+="$p ($(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | cut -c1-60)) "
    done
    kill -KILL $pids 2>/dev/null
    echo "${out% }"
}

on_interrupt() {
    sleep 0.2                      # let timeout pass the signal on first
    reap "$run_id-" prefix >/dev/null
    echo "interrupted: processes of this run stopped"
    exit 130
}
trap on_interrupt INT TERM HUP

# Seconds each test binary and check took, for the slowest-first list at the end.
timings=()
took() { timings+=("$((SECONDS - $2)) $1"); }

# --- cmocka test binaries ----------------------------------------------------
run_binary() {
    local bin=$1 name=${1##*/}
    local log=$logdir/$name.log
    local cmd=(timeout -k 10 "$TEST_TIMEOUT")
    if [[ $VALGRIND == 1 ]]; then
        cmd+=(valgrind -q --error-exitcode=99 --leak-check=full
              --errors-for-leak-kinds=definite --suppressions=tests/valgrind.supp)
    fi

    echo "=== $name"
    local rc=0 mark="$run_id-$name" left started=$SECONDS
    KIOSK_TEST_RUN=$mark "${cmd[@]}" "$bin" </dev/null 2>&1 | tee "$log" || rc=${PIPESTATUS[0]}
    left=$(reap "$mark")

    # Totals of every cmocka group in the run; names of failed tests.
    local p f s seen names
    {
        read -r p f s seen
        read -r names
    } < <(awk '
        /^\[  PASSED  \] [0-9]+ test\(s\)\./                  { p += $4 }
        /^\[  FAILED  \] [0-9]+ test\(s\), listed below:/     { f += $4; seen = 1 }
        /^\[  SKIPPED \] [0-9]+ test\(s\), listed below:/     { s += $4 }
        /^\[  FAILED  \] [^ ]+$/ && !($4 in named)            { named[$4] = 1; list = list (list ? ", " : "") $4 }
        END { print p + 0, f + 0, s + 0, seen + 0; print list }
    ' "$log")

    local why=""
    if ((rc != 0)); then
        # cmocka exits with the number of failed tests; anything else is a crash etc.
        if ((seen == 0 || rc != (f & 255))); then
            why=$(status_reason "$rc" "$TEST_TIMEOUT")
            f=$((f + 1))
        fi
    elif ((p + f + s == 0)); then
        why="no cmocka summary in output"
        f=$((f + 1))
    fi
    if [[ -n $left ]]; then
        why="${why:+$why; }left running (killed): $left"
        ((rc == 0)) && f=$((f + 1))
    fi

    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    total_skip=$((total_skip + s))

    local line="$p passed, $f failed"
    ((s > 0)) && line+=", $s skipped"
    took "$name" "$started"
    line+=" in $((SECONDS - started)) s"
    if ((f > 0)); then
        local detail=$names
        [[ -n $why ]] && detail="${detail:+$detail; }$why"
        echo "FAIL $name: $line ($detail) - log: $log"
        failures+=("$name: $detail")
    else
        echo "PASS $name: $line"
    fi
    echo
}

# --- check scripts -----------------------------------------------------------
run_check() {
    local script=$1 name=$2
    shift 2
    local log=$logdir/check-$name.log

    echo "=== check $name"
    if [[ ! -f $script ]]; then
        echo "FAIL check $name: $script not found"
        failures+=("check $name: $script not found")
        total_fail=$((total_fail + 1))
        echo
        return
    fi
    local rc=0 mark="$run_id-check-$name" left limit=$CHECK_TIMEOUT own started=$SECONDS
    # A check that builds something big the first time (the packages, a
    # Debian chroot) names its own longer limit: "# check-timeout: SECONDS".
    own=$(sed -n 's/^# check-timeout: \([0-9][0-9]*\)$/\1/p' "$script" | head -1)
    [[ -n $own ]] && ((own > limit)) && limit=$own
    KIOSK_TEST_RUN=$mark timeout -k 10 "$limit" bash "$script" "$@" </dev/null 2>&1 | tee "$log" || rc=${PIPESTATUS[0]}
    left=$(reap "$mark")
    took "check $name" "$started"
    if [[ -n $left ]]; then
        echo "FAIL check $name: left running (killed): $left"
        failures+=("check $name: left running (killed): $left")
        total_fail=$((total_fail + 1))
    elif ((rc == 0)); then
        echo "PASS check $name in $((SECONDS - started)) s"
        total_pass=$((total_pass + 1))
    else
        local why
        why=$(status_reason "$rc" "$limit")
        echo "FAIL check $name: $why - log: $log"
        failures+=("check $name: $why")
        total_fail=$((total_fail + 1))
    fi
    echo
}

matches() { [[ -z $RUN_ONLY || $1 == *"$RUN_ONLY"* ]]; }

for bin in "$BUILD"/tests/test_*; do
    [[ -f $bin && -x $bin ]] || continue
    matches "${bin##*/}" || continue
    ran=$((ran + 1))
    run_binary "$bin"
done

for script in tests/checks/*.sh; do
    [[ -f $script ]] || continue
    name=${script##*/}
    name=${name%.sh}
    matches "$name" || continue
    ran=$((ran + 1))
    run_check "$script" "$name" "$BUILD"
done

if matches check_locales; then
    ran=$((ran + 1))
    run_check tests/tools/check_locales.sh check_locales "$BUILD"
fi

status=0
if ((ran == 0)); then
    echo "nothing to run${RUN_ONLY:+: RUN_ONLY=$RUN_ONLY matched no test binary or check}"
    [[ -n $RUN_ONLY ]] && status=1
fi
if ((${#timings[@]} > 1)); then
    echo "Slowest (seconds):"
    printf '%s\n' "${timings[@]}" | sort -rn | head -12 | sed 's/^/  /'
fi
if ((${#failures[@]} > 0)); then
    echo "Failures:"
    printf '  %s\n' "${failures[@]}"
fi
((total_fail > 0)) && status=1

summary="$total_pass passed, $total_fail failed"
((total_skip > 0)) && summary+=", $total_skip skipped"
echo "$summary"
exit "$status"
