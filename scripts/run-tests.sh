#!/usr/bin/env bash
# Runs every test inside the loopback-only network namespace, then prints the
# final `N passed, N failed` line. Extra arguments go to vitest (e.g. a file filter).
set -uo pipefail
cd "$(dirname "$0")/.."
report=$(mktemp -t switchboard-vitest.XXXXXX.json)
trap 'rm -f "$report"' EXIT
scripts/netns-run.sh npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
vitest_rc=$?
node scripts/test-summary.mjs "$report"
summary_rc=$?
[ $vitest_rc -ne 0 ] && exit $vitest_rc
exit $summary_rc
