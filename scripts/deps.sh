#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian packages the build, the demo and the tests need.
# As root: apt-get install, with the system instances of nsd and nginx held
# off (a policy-rc.d that exits 101 while apt-get runs); the lab starts its
# own on loopback. As another user: prints the exact command and fails.
set -eu

PKGS="build-essential pkg-config libgnutls28-dev libunbound-dev \
libcurl4-gnutls-dev libevent-dev libcmocka-dev \
libmicrohttpd-dev libyaml-dev \
libjansson-dev zlib1g-dev libgmime-3.0-dev nsd ldnsutils nginx-light gnutls-bin \
dns-root-data python3 ca-certificates locales \
prometheus prometheus-node-exporter clang libclang-rt-14-dev \
icinga2 nagios4-core mailutils dpkg-dev debhelper lintian valgrind"

# `deps.sh bench` adds the tools make bench measures ours against:
# check_smtp and check_ssl_cert (monitoring-plugins), posttls-finger
# (postfix, preseeded to "No configuration" and never started), what
# check_ssl_cert runs and its package only recommends or suggests (dig for
# --dane, file, bc, openssl), GNU time (peak RSS) and strace (what a run
# opens).
if [ "${1:-}" = bench ]; then
	PKGS="$PKGS monitoring-plugins-standard monitoring-plugins-contrib \
postfix bind9-dnsutils file bc openssl time strace"
	if [ "$(id -u)" = 0 ] && command -v debconf-set-selections >/dev/null; then
		echo "postfix postfix/main_mailer_type select No configuration" |
			debconf-set-selections
	fi
fi

# The tests print numbers under a German locale to show the decimal
# separator stays '.' (CONFORMANCE OUT-04); make sure that locale exists.
need_locale() {
	locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$' && return 1
	return 0
}
add_locale() {
	need_locale || return 0
	if [ "$(id -u)" = 0 ]; then
		localedef -i de_DE -f UTF-8 de_DE.UTF-8
	else
		echo "note: locale de_DE.UTF-8 missing; as root: localedef -i de_DE -f UTF-8 de_DE.UTF-8" >&2
	fi
}

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	add_locale
	exit 0
fi

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
	echo "missing packages:$missing" >&2
	echo "run as root: apt-get update && $cmd" >&2
	exit 1
fi

prc=/usr/sbin/policy-rc.d
saved=""
if [ -e "$prc" ]; then
	saved=$(mktemp)
	cp -p "$prc" "$saved"
fi
restore() {
	if [ -n "$saved" ]; then mv "$saved" "$prc"; else rm -f "$prc"; fi
}
trap restore EXIT INT TERM
printf '#!/bin/sh\nexit 101\n' >"$prc"
chmod 755 "$prc"

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
add_locale
