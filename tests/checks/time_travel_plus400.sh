#!/usr/bin/env bash
# Check: the date-bound suites pass with the machine's clock moved (plus400);
# see tests/tools/time_travel.sh.
# check-timeout: 900
exec bash "$(dirname "${BASH_SOURCE[0]}")/../tools/time_travel.sh" plus400 "$@"
