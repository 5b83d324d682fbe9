#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# make bench: brings the loopback lab up, runs bench/run.py against it
# (BENCH_RUNS runs per command, default 20), writes docs/performance.md,
# then mailtls_exporter's throughput, RSS and soak (bench/exporter.py,
# SOAK_PROBES probes, default 10000), and takes the lab down whatever
# happens.
set -u
B=${B:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
if [ "$(id -u)" != 0 ]; then
	echo "bench: the lab binds ports 25, 53 and 443 on loopback and needs root" >&2
	exit 1
fi
lab=$(mktemp -d /tmp/mailtls-bench-lab.XXXXXX)
trap 'python3 tests/lab/lab.py down "$lab" >/dev/null 2>&1; rm -rf "$lab"' EXIT INT TERM
python3 tests/lab/lab.py up "$lab" || exit 1
python3 bench/run.py --runs "${BENCH_RUNS:-20}" "$lab/lab.env" "$B/plugins"
# check_tlsrpt_reports reads files only: no lab (bench/reports.py), its
# section of docs/performance.md written after run.py's
python3 bench/reports.py "$B/plugins"
# mailtls_exporter on the same lab: its section of docs/performance.md and
# bench/README.md, written after the others
python3 bench/exporter.py --soak "${SOAK_PROBES:-10000}" "$lab/lab.env" "$B"
