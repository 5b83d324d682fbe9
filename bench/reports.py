#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""check_tlsrpt_reports on a Maildir of N generated reports (issue 15:
10,000 in under 2 s, peak RSS under 32 MiB whatever the count): 60 %
base64 gzip attachments, 25 % raw JSON attachments, 10 % Microsoft-shaped
with an HTML part, 5 % duplicate deliveries, in new/ and cur/ (made by
tests/tools/mkreports.py --bench). Needs no lab. Runs the plugin RUNS
times on a warm page cache, and once with 1,000 reports to show that the
peak RSS does not grow with the count; writes the section "Reading
TLSRPT reports" of docs/performance.md (replaced if there, else appended)
and prints it.

usage: reports.py PLUGINDIR [--count N] [--runs N] [--out FILE]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
BEGIN = "<!-- reports-bench begin -->"
END = "<!-- reports-bench end -->"


def measure(argv):
    """(wall s, peak RSS KiB, exit code, first line) of one run."""
    rss = tempfile.mktemp(prefix="mailtls-rss.")
    t0 = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-f", "%M %x", "-o", rss] + argv,
                       stdin=subprocess.DEVNULL, capture_output=True,
                       text=True)
    wall = time.monotonic() - t0
    with open(rss, encoding="ascii") as f:
        last = f.read().split()
    os.unlink(rss)
    return wall, int(last[-2]), int(last[-1]), p.stdout.split("\n")[0]


def make(d, n):
    subprocess.run([sys.executable,
                    os.path.join(TOP, "tests", "tools", "mkreports.py"),
                    d, "--bench", str(n)], check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("plugindir")
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(TOP, "docs",
                                                   "performance.md"))
    a = ap.parse_args()
    exe = os.path.join(a.plugindir, "check_tlsrpt_reports")
    tmp = tempfile.mkdtemp(prefix="mailtls-bench-rpt.")
    rows = []
    ok = True
    try:
        for n in (1000, a.count):
            d = os.path.join(tmp, "m%d" % n)
            make(d, n)
            size = sum(os.path.getsize(os.path.join(r, f))
                       for r, _, fs in os.walk(d) for f in fs)
            argv = [exe, "--maildir", d, "-D", "example.com",
                    "--window", "5d", "-t", "30"]
            measure(argv)  # warm the page cache
            res = [measure(argv) for _ in range(a.runs)]
            walls = sorted(r[0] for r in res)
            rss = max(r[1] for r in res)
            rows.append((n, size, walls[len(walls) // 2], walls[-1], rss,
                         res[0][2], res[0][3]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    lines = [BEGIN, "## Reading TLSRPT reports (check_tlsrpt_reports)", "",
             "`bench/reports.py` (part of `make bench`; alone: `make "
             "bench-reports`, no lab needed): a Maildir made by "
             "`tests/tools/mkreports.py --bench N` (60 %% base64 gzip "
             "attachments, 25 %% raw JSON attachments, 10 %% Microsoft-shaped "
             "with an HTML part, 5 %% duplicate deliveries, in new/ and cur/), "
             "read with `--window 5d`, %d runs after one to warm the page "
             "cache; peak RSS from GNU time. Targets (issue 15): 10,000 "
             "reports in under 2 s, peak RSS under 32 MiB whatever the "
             "count (each file is read, decoded, parsed and freed before "
             "the next)." % a.runs, "",
             "| reports | Maildir size | wall median | wall max | peak RSS | "
             "exit | line 1 |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for n, size, med, mx, rss, code, line1 in rows:
        lines.append("| %d | %.1f MiB | %.2f s | %.2f s | %.1f MiB | %d | "
                     "%s |" % (n, size / 1048576, med, mx, rss / 1024, code,
                               line1.split(" | ")[0].replace("|", "/")))
        if n == a.count:
            ok = med < 2.0 and rss < 32 * 1024
    lines += ["", "Measured on %s, %d CPUs." % (
        time.strftime("%Y-%m-%d", time.gmtime()), os.cpu_count() or 0), END]
    text = "\n".join(lines) + "\n"
    print(text)
    old = open(a.out, encoding="utf-8").read() if os.path.exists(a.out) \
        else ""
    if BEGIN in old and END in old:
        new = old[:old.index(BEGIN)] + text + \
            old[old.index(END) + len(END) + 1:]
    else:
        new = old + ("\n" if old and not old.endswith("\n\n") else "") + text
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(new)
    if not ok:
        print("FAIL: over the targets (2 s, 32 MiB)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
