#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The Debian package test: copies the tree (the files git knows, tracked or
# new, never build/ or other ignored files) to a temporary folder, builds
# it there with `dpkg-buildpackage -b -us -uc`, and checks the .deb: its
# fields and file list (dpkg-deb), the plugins, man pages and Icinga 2
# CheckCommands unpacked into a scratch root (dpkg -x), `--version` of each
# plugin run from there, and lintian's verdict when lintian is installed
# (errors fail, warnings are listed). With icinga2 installed, the packaged
# CheckCommands are also validated by `icinga2 daemon -C`.
#
# Needs dpkg-dev, debhelper and the Build-Depends of debian/control; neither
# root nor the network. Prints one line per check and ends with
# "N passed, N failed"; exits non-zero on any failure. KEEP=1 keeps the
# temporary folder and prints its path.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
start=$(date +%s)
passed=0
failed=0

ok() {
	echo "ok   $1"
	passed=$((passed + 1))
}
fail() { # $1: the check; further arguments: detail lines
	echo "FAIL $1"
	shift
	for l in "$@"; do echo "     $l"; done
	failed=$((failed + 1))
}
note() { echo "     $1"; }
finish() {
	echo "     package test took $(($(date +%s) - start)) s"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

pkg=mailtls-plugins
plugindir=usr/lib/nagios/plugins
mandir=usr/share/man/man1
itl=usr/share/icinga2/include/plugins-contrib.d/$pkg.conf
exdir=usr/share/doc/$pkg/examples
# The four plugins, and any newer one the tree has.
plugins="check_smtp_starttls check_mta_sts check_tlsa check_tlsrpt_record check_tlsrpt_reports"
for f in "$top"/plugins/check_*.c; do
	[ -e "$f" ] || continue
	n=$(basename "$f" .c)
	case " $plugins " in *" $n "*) ;; *) plugins="$plugins $n" ;; esac
done

missing=""
for t in dpkg-buildpackage dpkg-deb dpkg-checkbuilddeps dh; do
	command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
if [ -n "$missing" ]; then
	fail "build tools present (dpkg-dev, debhelper)" "missing:$missing" \
		"as root: apt-get install --no-install-recommends dpkg-dev debhelper"
	finish
fi
ok "build tools present (dpkg-dev, debhelper)"

work=$(mktemp -d "${TMPDIR:-/tmp}/mailtls-pkg.XXXXXX") || exit 2
if [ "${KEEP:-0}" = 1 ]; then
	note "keeping $work"
else
	trap 'rm -rf "$work"' EXIT
	trap 'rm -rf "$work"; exit 2' INT TERM
fi
src=$work/$pkg-src
root=$work/root
mkdir -p "$src" "$root"

# 1. A clean copy: what git lists (tracked and new files, not ignored ones,
# nor build folders such as build-fuzz/ that .gitignore may not know yet);
# without git, the tree less build output and .git.
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	how="git ls-files"
	git -C "$top" ls-files -z --cached --others --exclude-standard |
		grep -zv '^build[^/]*/' |
		(cd "$top" && tar --ignore-failed-read --null -T - -cf - 2>/dev/null) |
		tar -C "$src" -xf -
else
	how="tar export"
	(cd "$top" && tar --exclude=./.git --exclude='./build*' \
		--exclude=./debian/.debhelper -cf - .) | tar -C "$src" -xf -
fi
nfiles=$(find "$src" -type f | wc -l)
builds=$(find "$src" -mindepth 1 -maxdepth 1 -name 'build*')
if [ -x "$src/debian/rules" ] && [ -z "$builds" ]; then
	ok "clean copy of the tree ($how, $nfiles files, no build output)"
else
	fail "clean copy of the tree ($how)" "debian/rules missing or not executable, or build output copied"
	finish
fi

if out=$(cd "$src" && dpkg-checkbuilddeps 2>&1); then
	ok "Build-Depends installed (dpkg-checkbuilddeps)"
else
	fail "Build-Depends installed (dpkg-checkbuilddeps)" "$out"
fi

# 2. The build. Variables of an outer make (make check B=..., SAN=...)
# must not reach the package build.
log=$work/build.log
b0=$(date +%s)
(
	unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES B SAN
	DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS:-parallel=$(nproc 2>/dev/null || echo 1)}
	export DEB_BUILD_OPTIONS
	cd "$src" && dpkg-buildpackage -b -us -uc
) >"$log" 2>&1
rc=$?
b1=$(date +%s)
deb=""
for f in "$work/${pkg}"_*.deb; do [ -e "$f" ] && deb=$f; done
if [ "$rc" -eq 0 ] && [ -n "$deb" ]; then
	ok "dpkg-buildpackage -b -us -uc built $(basename "$deb") in $((b1 - b0)) s"
else
	fail "dpkg-buildpackage -b -us -uc (exit $rc)" "last lines of $log:"
	tail -n 25 "$log" | sed 's/^/     | /'
	[ "${KEEP:-0}" = 1 ] || note "(KEEP=1 keeps the log)"
	finish
fi

# The compiler saw the Makefile's -Werror set and dpkg-buildflags' hardening
# (CFLAGS and CPPFLAGS), and the linker its LDFLAGS.
cc_line=$(grep -E '^cc .* -c -o build/plugins/' "$log" | head -n 1)
ld_line=$(grep -E '^cc .* -o build/plugins/check_[a-z_]+ ' "$log" | grep -v ' -c ' | head -n 1)
flags_missing=""
for fl in -Werror -fstack-protector-strong -D_FORTIFY_SOURCE=2 -Werror=format-security; do
	case " $cc_line " in *" $fl "*) ;; *) flags_missing="$flags_missing $fl" ;; esac
done
case " $ld_line " in *" -Wl,-z,relro "*) ;; *) flags_missing="$flags_missing -Wl,-z,relro" ;; esac
case " $ld_line " in *" -Wl,-z,now "*) ;; *) flags_missing="$flags_missing -Wl,-z,now" ;; esac
if [ -z "$flags_missing" ]; then
	ok "compiled with -Werror and dpkg-buildflags hardening (fortify, stack protector, relro, now)"
else
	fail "compiled with -Werror and dpkg-buildflags hardening" "missing:$flags_missing" \
		"compile: ${cc_line:-none found}" "link: ${ld_line:-none found}"
fi

# dh_auto_test would run `make check` (root, the loopback lab): it must not.
if hit=$(grep -nE '^[[:space:]]*(make|/usr/bin/make)( -j[0-9]+)? (check|test)\b|sh tests/run\.sh' "$log"); then
	fail "the build ran no test suite (override_dh_auto_test)" "$hit"
else
	ok "the build ran no test suite (override_dh_auto_test)"
fi

# 3. The package's fields.
field() { dpkg-deb -f "$deb" "$1" 2>/dev/null; }
mk_version=$(sed -n 's/^VERSION *:\{0,1\}= *//p' "$src/Makefile" | head -n 1)
version=$(field Version)
if [ "$(field Package)" = "$pkg" ] && [ "$version" = "$mk_version" ]; then
	ok "Package $pkg, Version $version = the Makefile's VERSION"
else
	fail "Package $pkg, Version = the Makefile's VERSION" \
		"Package '$(field Package)', Version '$version', Makefile VERSION '$mk_version'"
fi
deps=$(field Depends)
dep_missing=""
for d in dns-root-data ca-certificates libunbound8 libgnutls30 libcurl3-gnutls libc6; do
	case ", $deps," in *", $d "* | *", $d,"*) ;; *) dep_missing="$dep_missing $d" ;; esac
done
if [ -z "$dep_missing" ] && [ "$(field Section)" = net ] && [ "$(field Priority)" = optional ]; then
	ok "Section net, Priority optional, Depends with dns-root-data, ca-certificates and the shared libraries"
else
	fail "Section net, Priority optional, Depends complete" "missing:$dep_missing" \
		"Section '$(field Section)', Priority '$(field Priority)', Depends: $deps"
fi
# PKIX-03: our certificate verdict runs in CURLOPT_PREREQFUNCTION, which
# libcurl has since 7.80; an older one would refuse it (a fetch is then
# UNKNOWN), so the package asks for 7.80 at least.
case ", $deps," in
*", libcurl3-gnutls (>= 7.80),"*) ok "Depends: libcurl3-gnutls (>= 7.80), the verification hook (PKIX-03)" ;;
*) fail "Depends: libcurl3-gnutls (>= 7.80)" "Depends: $deps" ;;
esac

# 4. The file list (dpkg-deb -c), then the files themselves (dpkg -x).
list=$work/contents
dpkg-deb -c "$deb" >"$list"
# "mode owner size date time ./path" -> "mode owner ./path"
entry() { awk -v p="./$1" '$6 == p { print $1, $2; exit }' "$list"; }
for p in $plugins; do
	e=$(entry "$plugindir/$p")
	if [ "$e" = "-rwxr-xr-x root/root" ]; then
		ok "$p: /$plugindir/$p, -rwxr-xr-x root/root (dpkg-deb -c)"
	else
		fail "$p: /$plugindir/$p, -rwxr-xr-x root/root (dpkg-deb -c)" "found: '${e:-nothing}'"
	fi
done
for p in $plugins; do
	e=$(entry "$mandir/$p.1.gz")
	if [ "$e" = "-rw-r--r-- root/root" ]; then
		ok "$p: man page /$mandir/$p.1.gz (dpkg-deb -c)"
	else
		fail "$p: man page /$mandir/$p.1.gz (dpkg-deb -c)" "found: '${e:-nothing}'"
	fi
done
if [ -n "$(entry "$itl")" ]; then
	ok "Icinga 2 CheckCommands /$itl (dpkg-deb -c)"
else
	fail "Icinga 2 CheckCommands /$itl (dpkg-deb -c)" "not in the package"
fi
# mailtls_exporter: the daemon, its man page, its config (a conffile) and
# its systemd unit, and the Prometheus examples.
for f in "usr/bin/mailtls_exporter -rwxr-xr-x" "$mandir/mailtls_exporter.1.gz -rw-r--r--" \
	"etc/mailtls-plugins/exporter.yml -rw-r--r--" \
	"lib/systemd/system/mailtls-exporter.service -rw-r--r--" \
	"$exdir/prometheus.yml -rw-r--r--" "$exdir/mailtls-rules.yml -rw-r--r--" \
	"$exdir/mailtls-rules.test.yml -rw-r--r--"; do
	path=${f% *}
	mode=${f#* }
	e=$(entry "$path")
	if [ "$e" = "$mode root/root" ]; then
		ok "exporter: /$path, $mode root/root (dpkg-deb -c)"
	else
		fail "exporter: /$path, $mode root/root (dpkg-deb -c)" "found: '${e:-nothing}'"
	fi
done
conff=$(dpkg-deb -I "$deb" conffiles 2>/dev/null)
case "$conff" in
*/etc/mailtls-plugins/exporter.yml*) ok "exporter: /etc/mailtls-plugins/exporter.yml is a conffile" ;;
*) fail "exporter: /etc/mailtls-plugins/exporter.yml is a conffile" "conffiles: $conff" ;;
esac
stray=$(awk '{ print $6 }' "$list" | grep -vE "^\./$|^\./usr/$|^\./usr/(lib|share|bin)/$|^\./usr/lib/nagios/|^\./usr/share/man/$|^\./$mandir/|^\./usr/share/icinga2/|^\./usr/share/doc/$|^\./usr/share/doc/$pkg/|^\./usr/share/lintian/|^\./usr/bin/mailtls_exporter$|^\./etc/$|^\./etc/mailtls-plugins/|^\./lib/$|^\./lib/systemd/$|^\./lib/systemd/system/$|^\./lib/systemd/system/mailtls-exporter\.service$")
if [ -z "$stray" ]; then
	ok "no files outside the plugin, exporter, man, icinga2, doc and lintian folders"
else
	# shellcheck disable=SC2086
	fail "no files outside the plugin, exporter, man, icinga2, doc and lintian folders" $stray
fi

if dpkg -x "$deb" "$root" 2>"$work/x.err"; then
	ok "dpkg -x into a scratch root"
else
	fail "dpkg -x into a scratch root" "$(cat "$work/x.err")"
fi

for p in $plugins; do
	f=$root/$plugindir/$p
	if [ -f "$f" ] && [ -x "$f" ]; then
		ok "$p: executable in the scratch root"
	else
		fail "$p: executable in the scratch root" "$f"
	fi
	out=$("$f" --version 2>&1)
	rc=$?
	case "$out" in
	*"$mk_version"*) vok=1 ;;
	*) vok=0 ;;
	esac
	if [ "$rc" -eq 0 ] && [ "$vok" = 1 ]; then
		ok "$p --version from the scratch root: exit 0, '$(printf '%s' "$out" | head -n 1)'"
	else
		fail "$p --version from the scratch root: exit 0 naming $mk_version" "exit $rc: $out"
	fi
done

ex=$root/usr/bin/mailtls_exporter
out=$("$ex" --version 2>&1)
rc=$?
case "$out" in
*"$mk_version"*) vok=1 ;;
*) vok=0 ;;
esac
if [ "$rc" -eq 0 ] && [ "$vok" = 1 ]; then
	ok "mailtls_exporter --version from the scratch root: exit 0, '$out'"
else
	fail "mailtls_exporter --version from the scratch root: exit 0 naming $mk_version" "exit $rc: $out"
fi
if out=$("$ex" --config.check --config.file "$root/etc/mailtls-plugins/exporter.yml" 2>&1); then
	ok "mailtls_exporter --config.check accepts the packaged exporter.yml"
else
	fail "mailtls_exporter --config.check accepts the packaged exporter.yml" "$out"
fi
unit=$root/lib/systemd/system/mailtls-exporter.service
missing=""
for d in DynamicUser=yes ProtectSystem=strict NoNewPrivileges=yes "CapabilityBoundingSet=" \
	"ExecStart=/usr/bin/mailtls_exporter --config.file=/etc/mailtls-plugins/exporter.yml"; do
	grep -q "^$d" "$unit" 2>/dev/null || missing="$missing $d"
done
if grep -v "^#" "$unit" 2>/dev/null | grep -q CAP_NET_BIND_SERVICE; then missing="$missing (names CAP_NET_BIND_SERVICE)"; fi
if [ -z "$missing" ]; then
	ok "the unit: DynamicUser, ProtectSystem=strict, NoNewPrivileges, no capabilities"
else
	fail "the unit: DynamicUser, ProtectSystem=strict, NoNewPrivileges, no capabilities" "missing:$missing"
fi
if command -v systemd-analyze >/dev/null 2>&1; then
	if out=$(systemd-analyze verify --root="$root" "$unit" 2>&1 | grep -v "mailtls_exporter.*No such file\|Failed to create\|^$"); [ -z "$out" ]; then
		ok "systemd-analyze verify: the unit"
	else
		note "systemd-analyze verify said: $out"
	fi
else
	note "skip systemd-analyze verify (no systemd here)"
fi

for p in $plugins mailtls_exporter; do
	f=$root/$mandir/$p.1.gz
	up=$(printf '%s' "$p" | tr '[:lower:]' '[:upper:]')
	if gzip -dc "$f" 2>/dev/null | grep -q "^\.TH $up 1 "; then
		ok "$p: man page unpacks, section 1 (.TH $up 1)"
	else
		fail "$p: man page unpacks, section 1" "$f"
	fi
done

# Every plugin's CheckCommand is in the ITL file and runs the packaged
# plugin (Debian's icinga2 sets PluginContribDir to /usr/lib/nagios/plugins).
for p in $plugins; do
	c=${p#check_}
	if grep -q "^object CheckCommand \"$c\" {" "$root/$itl" 2>/dev/null &&
		grep -q "command = \[ PluginContribDir + \"/$p\" \]" "$root/$itl"; then
		ok "$p: CheckCommand \"$c\" in the ITL file, runs PluginContribDir + \"/$p\""
	else
		fail "$p: CheckCommand \"$c\" in the ITL file, runs PluginContribDir + \"/$p\"" "$root/$itl"
	fi
done

if command -v icinga2 >/dev/null 2>&1; then
	iv=$work/icinga2
	mkdir -p "$iv/cache" "$iv/data" "$iv/log" "$iv/run" "$iv/spool" "$iv/state"
	{
		echo 'const PluginDir = "/usr/lib/nagios/plugins"'
		echo 'const PluginContribDir = "/usr/lib/nagios/plugins"'
		echo 'const NodeName = "package-test.invalid"'
		echo 'const ZoneName = "package-test.invalid"'
		echo 'include <itl>'
		echo 'include <plugins>'
		echo "include \"$root/$itl\""
		echo 'object Host "mail" { check_command = "dummy"; vars.mail_domain = "example.com" }'
		for p in $plugins; do
			echo "apply Service \"$p\" { check_command = \"${p#check_}\"; assign where host.vars.mail_domain }"
		done
	} >"$iv/icinga2.conf"
	if out=$(icinga2 daemon -C -c "$iv/icinga2.conf" -DCacheDir="$iv/cache" \
		-DDataDir="$iv/data" -DLogDir="$iv/log" -DInitRunDir="$iv/run" \
		-DSpoolDir="$iv/spool" -DStateDir="$iv/state" \
		-DRunAsUser="$(id -un)" -DRunAsGroup="$(id -gn)" 2>&1); then
		ok "icinga2 daemon -C accepts the ITL file and a service of each CheckCommand"
	else
		fail "icinga2 daemon -C accepts the ITL file" "$(printf '%s\n' "$out" | grep -E 'critical|Error' | head -n 5)"
	fi
else
	note "skip icinga2 daemon -C (icinga2 not installed)"
fi

# Everything in icinga-templates/ is in the examples folder, unchanged.
(cd "$src/icinga-templates" && find . -type f | sort) >"$work/templates"
n=0
bad=""
while IFS= read -r f; do
	n=$((n + 1))
	f=${f#./}
	cmp -s "$src/icinga-templates/$f" "$root/$exdir/$f" || bad="$bad $f"
done <"$work/templates"
if [ "$n" -gt 0 ] && [ -z "$bad" ]; then
	ok "all $n files of icinga-templates/ in /$exdir, unchanged"
else
	fail "all files of icinga-templates/ in /$exdir, unchanged" "missing or different:${bad:- (icinga-templates/ is empty)}"
fi

# 5. lintian: errors fail, warnings are listed; overrides are shown.
if command -v lintian >/dev/null 2>&1; then
	# lintian leaves temporary files behind: keep them in $work.
	lout=$(TMPDIR=$work lintian --show-overrides "$deb" 2>/dev/null)
	errs=$(printf '%s\n' "$lout" | grep '^E: ')
	warns=$(printf '%s\n' "$lout" | grep '^W: ')
	nwarn=$(printf '%s\n' "$warns" | grep -c '^W: ')
	if [ -z "$errs" ]; then
		ok "lintian: no errors ($nwarn warnings)"
	else
		fail "lintian: no errors" "$errs"
	fi
	printf '%s\n' "$lout" | grep -E '^(W|O): ' | sed 's/^/     lintian /'
else
	note "skip lintian (not installed)"
fi

finish
