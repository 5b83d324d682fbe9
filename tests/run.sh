#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs the test suites and ends with one line "N passed, N failed".
#   SUITES: any of "unit meta integration fuzz package sanitize" (default:
#   all; sanitize runs unit, meta and integration again with the
#   ASan+UBSan+LSan build in build-san/)
#   FUZZ_CHECK_SECONDS: seconds per fuzzer in the fuzz suite (default 20)
#   B: the build directory (default: build)
# The integration suite brings the loopback lab up in a temporary folder and
# takes it down again, whatever happens.
set -u
B=${B:-build}
SUITES=${SUITES:-unit meta integration fuzz package sanitize}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
passed=0
failed=0

add_counts() { # $1: suite name, $2: its output ending "N passed, N failed"
	line=$(printf '%s\n' "$2" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
	if [ -z "$line" ]; then
		failed=$((failed + 1))
		echo "FAIL $1: no summary line (crashed?)"
		return
	fi
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed*}
	passed=$((passed + p))
	failed=$((failed + f))
}

for s in $SUITES; do
	case $s in
	unit)
		echo "== unit tests"
		for t in "$B"/tests/unit/test_*; do
			[ -x "$t" ] || continue
			out=$("$t" 2>&1)
			rc=$?
			p=$(printf '%s\n' "$out" | sed -n 's/.*\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
			f=$(printf '%s\n' "$out" | sed -n 's/.*\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
			p=${p:-0}
			f=${f:-0}
			if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
				f=1 # crashed, or failed outside a test
			fi
			if [ "$f" -ne 0 ]; then
				printf '%s\n' "$out"
				echo "FAIL $(basename "$t"): $p passed, $f failed"
			else
				echo "ok   $(basename "$t"): $p passed"
			fi
			passed=$((passed + p))
			failed=$((failed + f))
		done
		;;
	sanitize)
		echo "== the unit, meta and integration suites again under ASan, UBSan, LSan (build-san)"
		if [ ! -x build-san/plugins/check_tlsa ]; then
			echo "FAIL sanitize: build-san/ is not built (make sanitize-build)"
			failed=$((failed + 1))
			continue
		fi
		out=$(B=build-san ASAN_OPTIONS=detect_leaks=1 \
			UBSAN_OPTIONS=print_stacktrace=1 \
			SUITES="unit meta integration" sh tests/run.sh 2>&1)
		printf '%s\n' "$out" | grep -v '^ok ' || true
		add_counts sanitize "$out"
		;;
	package)
		echo "== Debian package (tests/package/run.sh)"
		out=$(sh tests/package/run.sh 2>&1)
		printf '%s\n' "$out"
		add_counts package "$out"
		;;
	fuzz)
		echo "== fuzzers (libFuzzer, ASan, UBSan; ${FUZZ_CHECK_SECONDS:-20} s each)"
		out=$(sh tests/fuzz.sh "${FUZZ_CHECK_SECONDS:-20}" 2>&1)
		printf '%s\n' "$out"
		add_counts fuzz "$out"
		;;
	meta)
		echo "== meta tests (options, --help, man pages, templates)"
		out=$(python3 tests/meta/check_docs.py --bindir "$B/plugins" 2>&1)
		printf '%s\n' "$out"
		add_counts meta "$out"
		;;
	integration)
		echo "== integration tests (loopback lab)"
		if [ "$(id -u)" != 0 ]; then
			echo "FAIL integration: the lab binds ports 25, 53 and 443 on loopback and needs root"
			failed=$((failed + 1))
			continue
		fi
		lab=$(mktemp -d /tmp/mailtls-lab.XXXXXX)
		trap 'python3 tests/lab/lab.py down "$lab" >/dev/null 2>&1; rm -rf "$lab"' EXIT INT TERM
		if python3 tests/lab/lab.py up "$lab"; then
			out=$(python3 tests/integration/run.py --lab-env "$lab/lab.env" \
				--bindir "$B/plugins" --bindir "$B/tests/tools" tests/integration/*.cases 2>&1)
			printf '%s\n' "$out"
			add_counts integration "$out"
			echo "== Icinga 2 and Nagios (icinga-templates/)"
			out=$(sh tests/icinga/run.sh "$lab/lab.env" "$B/plugins" 2>&1)
			printf '%s\n' "$out"
			add_counts icinga "$out"
			case $B in
			*san*) ;; # ASan and valgrind exclude each other
			*)
				echo "== valgrind memcheck (tests/valgrind)"
				out=$(python3 tests/valgrind/run.py "$lab/lab.env" "$B/plugins" 2>&1)
				printf '%s\n' "$out"
				add_counts valgrind "$out"
				;;
			esac
			echo "== Prometheus (promtool, textfile wrapper, node_exporter)"
			out=$(python3 tests/prometheus/run.py "$lab/lab.env" "$B/plugins" 2>&1)
			printf '%s\n' "$out"
			add_counts prometheus "$out"
			echo "== mailtls_exporter (two exporters, a real Prometheus, fake plugins)"
			out=$(python3 tests/prometheus/exporter.py "$lab/lab.env" "$B" 2>&1)
			printf '%s\n' "$out"
			add_counts exporter "$out"
		else
			echo "FAIL integration: the lab did not come up"
			failed=$((failed + 1))
		fi
		python3 tests/lab/lab.py down "$lab" >/dev/null 2>&1
		rm -rf "$lab"
		trap - EXIT INT TERM
		;;
	esac
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
