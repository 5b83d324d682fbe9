#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs every libFuzzer harness in build-fuzz/ for SECONDS each (argument,
# default 20): first over its regression inputs (fuzz/regressions/NAME/,
# each once), then fuzzing from its seeds (the test corpora and
# fuzz/seeds/NAME/) in a scratch corpus. A crash, a leak, a sanitizer
# report or a hang (over 10 s on one input) fails it; the input that did
# is kept in fuzz-artifacts/ to be made a regression input.
# Ends with "N passed, N failed".
set -u
secs=${1:-20}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
passed=0
failed=0
art=$top/fuzz-artifacts
mkdir -p "$art"

seeds_of() { # the seed directories of harness $1
	case $1 in
	mtasts) echo tests/corpus/mta-sts/txt tests/corpus/mta-sts/policy ;;
	tlsrpt) echo tests/corpus/tlsrpt/txt ;;
	rpt_json) echo tests/corpus/tlsrpt-reports/json ;;
	esac
	[ -d "fuzz/seeds/$1" ] && echo "fuzz/seeds/$1"
}

for f in build-fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	name=${f##*/fuzz_}
	work=$(mktemp -d)
	log=$work/log
	ok=1
	if [ -d "fuzz/regressions/$name" ] &&
		[ -n "$(ls -A "fuzz/regressions/$name")" ]; then
		if ! "$f" -timeout=10 -rss_limit_mb=2048 \
			"fuzz/regressions/$name"/* >"$log" 2>&1; then
			ok=0
			tail -n 30 "$log"
			echo "FAIL fuzz_$name: a regression input fails again"
		fi
	fi
	if [ $ok = 1 ]; then
		# shellcheck disable=SC2046 # one word per directory
		if "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
			-max_len=70000 -print_final_stats=1 \
			-artifact_prefix="$art/fuzz_$name-" "$work" \
			$(seeds_of "$name") >"$log" 2>&1; then
			runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
			echo "ok   fuzz_$name: ${runs:-?} inputs in ${secs} s"
		else
			ok=0
			tail -n 40 "$log"
			echo "FAIL fuzz_$name: see the input kept in $art"
		fi
	fi
	if [ $ok = 1 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
	rm -rf "$work"
done
[ "$failed" = 0 ] && rmdir "$art" 2>/dev/null
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
