#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# make demo: brings the loopback lab up with its demo domain demo.test, runs
# every plugin built so far against it, shows each output and exit code,
# and takes the lab down again.
set -u
B=${B:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
if [ "$(id -u)" != 0 ]; then
	echo "make demo: the lab binds ports 25, 53 and 443 on loopback; run it as root" >&2
	exit 1
fi
lab=$(mktemp -d /tmp/mailtls-demo.XXXXXX)
trap 'python3 tests/lab/lab.py down "$lab" >/dev/null 2>&1; rm -rf "$lab"' EXIT INT TERM
python3 tests/lab/lab.py up "$lab" || exit 1
. "$lab/lab.env"
common="--resolver $LAB_RESOLVER --trust-anchor $LAB_ANCHOR --cafile $LAB_CAFILE"

show() {
	echo
	echo "\$ $*"
	"$@"
	echo "[exit code $?]"
}

# shellcheck disable=SC2086
show "$B/plugins/check_smtp_starttls" -D demo.test $common
# shellcheck disable=SC2086
show "$B/plugins/check_smtp_starttls" -H mx1.demo.test -6 $common
# shellcheck disable=SC2086
show "$B/plugins/check_smtp_starttls" -D dom-mixed.secure.test $common
# shellcheck disable=SC2086
show "$B/plugins/check_mta_sts" -D demo.test $common
# shellcheck disable=SC2086
show "$B/plugins/check_mta_sts" -D demo.test --check-mx $common
# shellcheck disable=SC2086
show "$B/plugins/check_mta_sts" -D uncovered.sts.test $common
for p in check_tlsa check_tlsrpt_record; do
	[ -x "$B/plugins/$p" ] || continue
	# shellcheck disable=SC2086
	show "$B/plugins/$p" -D demo.test $common
done
echo
