#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Tests of icinga-templates/ with the real icinga2 and nagios4 against the
# loopback lab (see tests/icinga/run.py and tests/icinga/README.md).
#   sh tests/icinga/run.sh LAB/lab.env build/plugins [run.py options]
# Ends with one line "N passed, N failed"; exits 1 if any test failed.
if [ $# -lt 2 ]; then
	echo "usage: $0 LAB_ENV PLUGIN_DIR [--only validate,daemon,distributed,nagios] [--keep] [-v]" >&2
	echo "0 passed, 1 failed"
	exit 2
fi
env=$1
plugins=$2
shift 2
exec python3 "$(dirname "$0")/run.py" --lab-env "$env" --plugin-dir "$plugins" "$@"
