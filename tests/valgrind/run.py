#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Valgrind memcheck over each plugin on a set of lab cases: no invalid
read or write, no use of uninitialised memory, no definite or indirect
leak, and the plugin's own exit code and line 1 unchanged under valgrind.

usage: run.py LAB_ENV PLUGINDIR
Prints "ok   NAME" / "FAIL NAME: why" per case and "N passed, N failed".
Run against the plain build (not build-san: ASan and valgrind exclude
each other).
"""
import concurrent.futures
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

CASES = [
    # (name, plugin, args, expected exit code)
    ("smtp_starttls -D demo.test", "check_smtp_starttls",
     ["-D", "demo.test"], 1),
    ("smtp_starttls -H nostarttls", "check_smtp_starttls",
     ["-H", "nostarttls.secure.test"], 2),
    ("smtp_starttls -H stall -t 3", "check_smtp_starttls",
     ["-H", "stall.secure.test", "-t", "3"], 2),
    ("mta_sts -D demo.test --check-mx", "check_mta_sts",
     ["-D", "demo.test", "--check-mx"], 1),
    ("mta_sts -D big.sts.test", "check_mta_sts", ["-D", "big.sts.test"], 2),
    ("mta_sts -D uncovered.sts.test", "check_mta_sts",
     ["-D", "uncovered.sts.test"], 2),
    ("tlsa -D dom-ok.dane.test", "check_tlsa", ["-D", "dom-ok.dane.test"],
     0),
    ("tlsa -H tawrongname.dane.test", "check_tlsa",
     ["-H", "tawrongname.dane.test"], 2),
    ("tlsrpt_record -D both.rpt.test", "check_tlsrpt_record",
     ["-D", "both.rpt.test"], 0),
    ("tlsrpt_record -D badcert.rpt.test", "check_tlsrpt_record",
     ["-D", "badcert.rpt.test"], 2),
    ("mailtls -D all-ok.sts.test", "check_mailtls",
     ["-D", "all-ok.sts.test"], 0),
    ("mailtls -D all-danebad.sts.test --all-certs", "check_mailtls",
     ["-D", "all-danebad.sts.test", "--all-certs"], 2),
    ("mailtls -D all-none.sts.test --skip tlsrpt", "check_mailtls",
     ["-D", "all-none.sts.test", "--skip", "tlsrpt"], 2),
    # check_tlsrpt_reports reads files (no lab options): a Maildir of the
    # senders' shapes, and a folder of hostile files (a gzip bomb, JSON 100
    # deep, a duplicate key, broken gzip, a string count), made in main()
    ("tlsrpt_reports --maildir (senders' shapes)", "check_tlsrpt_reports",
     ["--maildir", "@MAILDIR@", "-D", "example.com"], 1),
    ("tlsrpt_reports --dir (hostile files)", "check_tlsrpt_reports",
     ["--dir", "@HOSTILE@", "-D", "example.com"], 2),
]
FILES_ONLY = {"check_tlsrpt_reports"}
MKREPORTS = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "tools", "mkreports.py")
VG_ERR = 99


def lab_env(path):
    env = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            if k:
                env[k] = shlex.split(v)[0] if v else ""
    return env


def run_case(case, plugindir, common, tmp):
    name, plugin, args, want = case
    log = os.path.join(tmp, re.sub(r"\W+", "_", name) + ".log")
    args = [a.replace("@MAILDIR@", os.path.join(tmp, "maildir"))
            .replace("@HOSTILE@", os.path.join(tmp, "hostile"))
            for a in args]
    argv = [os.path.join(plugindir, plugin)] + args + (
        [] if plugin in FILES_ONLY else common)
    vg = ["valgrind", "--tool=memcheck", "--error-exitcode=%d" % VG_ERR,
          "--leak-check=full", "--show-leak-kinds=definite,indirect",
          "--errors-for-leak-kinds=definite,indirect", "--track-fds=no",
          "--log-file=" + log]
    # valgrind is slow: the plugin gets a longer deadline unless the case
    # is about the deadline itself
    if "-t" not in args:
        argv += ["-t", "30"]
    p = subprocess.run(vg + argv, capture_output=True, text=True,
                       timeout=120)
    with open(log, encoding="utf-8", errors="replace") as f:
        vlog = f.read()
    summary = re.search(r"ERROR SUMMARY: (\d+) errors", vlog)
    why = []
    if p.returncode == VG_ERR or summary is None or summary.group(1) != "0":
        why.append("valgrind reports errors:\n" + vlog[-3000:])
    elif p.returncode != want:
        why.append("exit code %d under valgrind, expected %d (line 1: %s)"
                   % (p.returncode, want, p.stdout.split("\n", 1)[0]))
    return name, not why, "; ".join(why)


def main():
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    results = []
    if shutil.which("valgrind") is None:
        print("FAIL valgrind installed: Debian package valgrind")
        print("0 passed, 1 failed")
        return 1
    lab = lab_env(sys.argv[1])
    plugindir = os.path.abspath(sys.argv[2])
    common = ["--resolver", lab["LAB_RESOLVER"], "--trust-anchor",
              lab["LAB_ANCHOR"], "--cafile", lab["LAB_CAFILE"]]
    tmp = tempfile.mkdtemp(prefix="mailtls-vg.")
    subprocess.run([sys.executable, MKREPORTS, os.path.join(tmp, "maildir"),
                    "--maildir", "org=Google Inc.,ok=900,fail=50",
                    "org=Microsoft Corporation,ok=300,shape=microsoft,"
                    "form=eml-html", "org=Mail.Ru,ok=100,fail=3,shape=mailru",
                    "form=eml-ooo", "org=Small,ok=10,shape=smallmta,"
                    "form=eml-json", "org=Google Inc.,ok=900,fail=50,copies=2"],
                   check=True, capture_output=True)
    subprocess.run([sys.executable, MKREPORTS, os.path.join(tmp, "hostile"),
                    "org=A,ok=900,fail=50,form=gz", "form=bomb", "form=deep",
                    "form=dupkey", "form=garbage-gz", "form=strcount",
                    "form=other", "org=B,ok=10,form=json"],
                   check=True, capture_output=True)
    try:
        with concurrent.futures.ThreadPoolExecutor(2) as ex:
            for name, ok, why in ex.map(
                    lambda c: run_case(c, plugindir, common, tmp), CASES):
                results.append(ok)
                print(("ok   " if ok else "FAIL ") + "valgrind " + name +
                      ("" if ok else ": " + why))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (results.count(True),
                                    results.count(False)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
