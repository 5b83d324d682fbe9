#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmarks: our plugins against the tools users would otherwise run, in
the same run, on the same loopback lab, the commands of a group alternating
so that the machine's drift hits all alike.

usage: run.py LAB_ENV PLUGINDIR [--runs N] [--out docs/performance.md]

For every command: the median and the 10th-90th percentile spread of wall
time, CPU time (user + system, the command's waited-for children
included) and peak RSS, over N runs (default 20). Prints the tables and
the ratios ours/theirs, and writes them to --out.
"""
import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
MP = "/usr/lib/nagios/plugins"


def lab_env(path):
    env = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            if k:
                env[k] = shlex.split(v)[0] if v else ""
    return env


RSS_FILE = os.path.join(tempfile.gettempdir(), "mailtls-bench-rss.%d" %
                        os.getpid())


def measure(argv, env=None):
    """(wall s, cpu s, peak RSS KiB, exit code) of one run, stdin closed.
    The peak RSS comes from GNU time, a small C program that forks and
    execs the command: ru_maxrss seen from here would include the Python
    process the child was forked from."""
    t0 = time.monotonic()
    p = subprocess.Popen(["/usr/bin/time", "-f", "%M %x", "-o", RSS_FILE] +
                         argv, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         env=env)
    _pid, _status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    with open(RSS_FILE, encoding="ascii") as f:
        last = f.read().split()
    os.unlink(RSS_FILE)
    return wall, ru.ru_utime + ru.ru_stime, int(last[-2]), int(last[-1])


def lab_namespace(tmp, resolver):
    """A prefix that runs a command in a private mount namespace whose
    /etc/resolv.conf names only the lab's resolver: for tools that resolve
    through the system resolver and cannot be given one (check_ssl_cert
    --dane looks TLSA records up with dig under the name it connects to).
    Nothing outside the namespace changes. None when this machine cannot
    make one (no unshare, or no right to mount)."""
    conf = os.path.join(tmp, "resolv.conf")
    with open(conf, "w", encoding="ascii") as f:
        f.write("nameserver %s\n" % resolver)
    prefix = ["unshare", "--mount", "sh", "-c",
              'mount --bind "$0" /etc/resolv.conf && exec "$@"', conf]
    try:
        r = subprocess.run(prefix + ["cat", "/etc/resolv.conf"],
                           capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if r.returncode != 0 or resolver not in r.stdout:
        sys.stderr.write("bench: no mount namespace (%s): check_ssl_cert "
                         "--dane left out\n" % r.stderr.strip())
        return None
    return prefix


def pct(v, q):
    v = sorted(v)
    k = (len(v) - 1) * q
    f = int(k)
    c = min(f + 1, len(v) - 1)
    return v[f] + (v[c] - v[f]) * (k - f)


class Cmd:
    def __init__(self, name, argv, ours=False, env=None, note=""):
        self.name, self.argv, self.ours, self.env = name, argv, ours, env
        self.note = note
        self.wall, self.cpu, self.rss, self.codes = [], [], [], set()

    def stats(self):
        return {
            "wall": statistics.median(self.wall),
            "wall_spread": (pct(self.wall, 0.1), pct(self.wall, 0.9)),
            "cpu": statistics.median(self.cpu),
            "rss": max(self.rss) / 1024.0,
        }


def run_group(cmds, runs):
    # one warm-up each (page cache, lab caches), then alternate
    for c in cmds:
        measure(c.argv, c.env)
    for _ in range(runs):
        for c in cmds:
            w, u, r, code = measure(c.argv, c.env)
            c.wall.append(w)
            c.cpu.append(u)
            c.rss.append(r)
            c.codes.add(code)


def fmt_group(title, cmds, lines):
    lines.append("### " + title)
    lines.append("")
    lines.append("| command | exit | wall median (p10-p90) | CPU median | "
                 "peak RSS |")
    lines.append("| --- | --- | --- | --- | --- |")
    for c in cmds:
        s = c.stats()
        lines.append("| %s%s | %s | %.1f ms (%.1f-%.1f) | %.1f ms | %.1f MiB |"
                     % ("**" + c.name + "**" if c.ours else c.name,
                        " (" + c.note + ")" if c.note else "",
                        ",".join(str(x) for x in sorted(c.codes)),
                        s["wall"] * 1000, s["wall_spread"][0] * 1000,
                        s["wall_spread"][1] * 1000, s["cpu"] * 1000, s["rss"]))
    ours = [c for c in cmds if c.ours]
    theirs = [c for c in cmds if not c.ours]
    if ours and theirs:
        lines.append("")
        lines.append("| ours / theirs | wall | CPU | peak RSS |")
        lines.append("| --- | --- | --- | --- |")
        for oc in ours:
            o = oc.stats()
            for t in theirs:
                s = t.stats()
                lines.append("| %s / %s | %.2f | %.2f | %.2f |" % (
                    oc.name, t.name, o["wall"] / s["wall"],
                    o["cpu"] / s["cpu"] if s["cpu"] else float("nan"),
                    o["rss"] / s["rss"]))
    lines.append("")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lab_env")
    ap.add_argument("plugindir")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--out", default=os.path.join(TOP, "docs",
                                                   "performance.md"))
    a = ap.parse_args()
    lab = lab_env(a.lab_env)
    pd = os.path.abspath(a.plugindir)
    R, A, CA = lab["LAB_RESOLVER"], lab["LAB_ANCHOR"], lab["LAB_CAFILE"]
    ours = ["--resolver", R, "--trust-anchor", A, "--cafile", CA]
    tmp = tempfile.mkdtemp(prefix="mailtls-bench.")
    # posttls-finger reads a Postfix main.cf; an empty one will do
    pf = os.path.join(tmp, "postfix")
    os.mkdir(pf)
    open(os.path.join(pf, "main.cf"), "w").close()
    pfenv = dict(os.environ, MAIL_CONFIG=pf)
    have = {t: shutil.which(t) or (os.path.exists(os.path.join(MP, t)) and
                                   os.path.join(MP, t))
            for t in ("check_ssl_cert", "check_smtp", "posttls-finger",
                      "gnutls-cli")}
    groups = []

    g = [Cmd("check_smtp_starttls", [pd + "/check_smtp_starttls", "-H",
                                     "good.secure.test"] + ours, True,
             note="A/AAAA lookups, full judgement"),
         Cmd("check_smtp_starttls --address",
             [pd + "/check_smtp_starttls", "-H", "good.secure.test",
              "--address", "127.2.0.1"] + ours, True,
             note="no lookup: no resolver, as check_smtp -H ADDR")]
    if have["check_ssl_cert"]:
        g.append(Cmd("check_ssl_cert -P smtp",
                     [have["check_ssl_cert"], "-H", "good.secure.test",
                      "--resolve", "127.2.0.1", "-P", "smtp", "-p", "25",
                      "--rootcert-file", CA, "--ignore-sct"]))
    if have["check_smtp"]:
        g.append(Cmd("check_smtp -S -D 28,14",
                     [have["check_smtp"], "-H", "127.2.0.1", "-S", "-D",
                      "28,14"]))
    if have["posttls-finger"]:
        g.append(Cmd("posttls-finger -l secure",
                     [have["posttls-finger"], "-c", "-l", "secure", "-F", CA,
                      "[127.2.0.1]:25", "good.secure.test"], env=pfenv))
    if have["gnutls-cli"]:
        g.append(Cmd("gnutls-cli --starttls-proto=smtp (floor)",
                     [have["gnutls-cli"], "--starttls-proto=smtp", "-p", "25",
                      "--x509cafile", CA, "--sni-hostname",
                      "good.secure.test", "--verify-hostname",
                      "good.secure.test", "127.2.0.1"]))
    groups.append(("One mail server: STARTTLS, TLS, certificate "
                   "(good.secure.test)", g))

    g = [Cmd("check_tlsa -H", [pd + "/check_tlsa", "-H",
                               "ee311.dane.test"] + ours, True,
             note="DNSSEC-validated, every address")]
    labns = lab_namespace(tmp, R)
    if have["check_ssl_cert"] and labns:
        g.append(Cmd("check_ssl_cert --dane 311 -P smtp",
                     labns + [have["check_ssl_cert"], "-H",
                              "ee311.dane.test", "-P", "smtp", "-p", "25",
                              "--dane", "311", "--ignore-sct"],
                     note="lab resolv.conf in a mount namespace"))
    groups.append(("DANE: one host, TLSA 3 1 1 (ee311.dane.test)", g))

    g = [Cmd("check_mta_sts -D", [pd + "/check_mta_sts", "-D",
                                  "ok.sts.test"] + ours, True),
         Cmd("check_mta_sts -D --check-mx",
             [pd + "/check_mta_sts", "-D", "ok.sts.test", "--check-mx"] +
             ours, True),
         Cmd("check_tlsrpt_record -D", [pd + "/check_tlsrpt_record", "-D",
                                        "both.rpt.test"] + ours, True,
             note="mailto: and https: destinations"),
         Cmd("check_tlsrpt_record -D (mailto: only)",
             [pd + "/check_tlsrpt_record", "-D", "mailto.rpt.test"] + ours,
             True, note="a DNS-only check"),
         Cmd("check_tlsa --dns-only", [pd + "/check_tlsa", "-D",
                                       "dom-ok.dane.test", "--dns-only"] +
             ours, True)]
    groups.append(("Per-domain cost of the other checks", g))

    # check_mailtls against the four plugins on the same domain (issue 14:
    # CPU and wall at most 0.5x the four's sum, peak RSS at most the
    # largest of the four)
    dom = "all-ok.sts.test"
    four = [[pd + "/check_smtp_starttls", "-D", dom] + ours,
            [pd + "/check_mta_sts", "-D", dom, "--check-mx"] + ours,
            [pd + "/check_tlsa", "-D", dom] + ours,
            [pd + "/check_tlsrpt_record", "-D", dom] + ours]
    mailtls = [Cmd("check_mailtls -D", [pd + "/check_mailtls", "-D", dom] +
                   ours, True, note="one session per address"),
               Cmd("check_smtp_starttls -D", four[0], True),
               Cmd("check_mta_sts -D --check-mx", four[1], True),
               Cmd("check_tlsa -D", four[2], True),
               Cmd("check_tlsrpt_record -D", four[3], True),
               Cmd("the four, one after the other",
                   ["sh", "-c", " ; ".join(" ".join(shlex.quote(x)
                                                    for x in argv)
                                           for argv in four)], True)]
    groups.append(("One domain: check_mailtls and the four plugins (%s)" %
                   dom, mailtls))

    fan = [Cmd("check_smtp_starttls, 1 host x 2 addresses (200 ms/line)",
               [pd + "/check_smtp_starttls", "-H", "delay1.secure.test", "-t",
                "20"] + ours, True),
           Cmd("check_smtp_starttls, 8 MX x 2 addresses (200 ms/line)",
               [pd + "/check_smtp_starttls", "-D", "bench8.secure.test",
                "-t", "20"] + ours, True)]
    groups.append(("Fan-out: 8 MX hosts of 2 addresses each, every reply "
                   "line 200 ms late", fan))

    for title, cmds in groups:
        sys.stderr.write("bench: %s (%d runs)\n" % (title, a.runs))
        run_group(cmds, a.runs)
    shutil.rmtree(tmp, ignore_errors=True)

    lines = ["# Performance", "",
             "Measured by `make bench` (bench/run.py) on the loopback lab, "
             "%d runs per command, the commands of a group alternating. "
             "Wall and CPU time are medians (CPU: user + system, waited-for "
             "children included); peak RSS is the largest seen. Reproduce "
             "with `make bench` (as root, after `make check`)." % a.runs, "",
             "Machine: %s, %d CPUs; %s." % (
                 os.uname().machine, os.cpu_count(),
                 time.strftime("%Y-%m-%d", time.gmtime())), ""]
    for title, cmds in groups:
        fmt_group(title, cmds, lines)
    # What a run reads that it may not need: the CA bundle (a DNS-only
    # check must not parse a trust store) and libcurl's set-up.
    if shutil.which("strace"):
        lines.append("### What each run opens")
        lines.append("")
        lines.append("| command | system trust store read | libcurl loaded | "
                     "files opened |")
        lines.append("| --- | --- | --- | --- |")
        probes = [
            ("check_tlsa --dns-only", [pd + "/check_tlsa", "-D",
                                       "dom-ok.dane.test", "--dns-only",
                                       "--resolver", R, "--trust-anchor",
                                       A]),
            ("check_tlsa -H (DANE: no PKIX)",
             [pd + "/check_tlsa", "-H", "ee311.dane.test", "--resolver", R,
              "--trust-anchor", A]),
            ("check_tlsrpt_record --no-check-rua",
             [pd + "/check_tlsrpt_record", "-D", "both.rpt.test",
              "--no-check-rua", "--resolver", R, "--trust-anchor", A]),
            ("check_tlsrpt_record (mailto: only)",
             [pd + "/check_tlsrpt_record", "-D", "mailto.rpt.test",
              "--resolver", R, "--trust-anchor", A]),
            ("check_tlsrpt_record (an https: destination)",
             [pd + "/check_tlsrpt_record", "-D", "both.rpt.test",
              "--resolver", R, "--trust-anchor", A]),
            ("check_mta_sts (policy fetch)",
             [pd + "/check_mta_sts", "-D", "ok.sts.test",
              "--resolver", R, "--trust-anchor", A]),
            ("check_smtp_starttls -H (system store)",
             [pd + "/check_smtp_starttls", "-H", "good.secure.test",
              "--resolver", R, "--trust-anchor", A]),
        ]
        for name, argv in probes:
            log = os.path.join(tempfile.gettempdir(), "mailtls-strace.log")
            subprocess.run(["strace", "-f", "-qq", "-e", "trace=openat",
                            "-o", log] + argv, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            with open(log, encoding="utf-8", errors="replace") as f:
                opened = [l for l in f if "openat(" in l and "= -1" not in l]
            os.unlink(log)
            store = any("ca-certificates.crt" in l or "/etc/ssl/certs" in l
                        for l in opened)
            curl = any("libcurl" in l for l in opened)
            lines.append("| %s | %s | %s | %d |" % (
                name, "yes" if store else "no", "yes" if curl else "no",
                len(opened)))
        lines.append("")
    m, seq = mailtls[0].stats(), mailtls[-1].stats()
    rss4 = max(c.stats()["rss"] for c in mailtls[1:5])
    lines.append("check_mailtls against the four plugins run one after the "
                 "other on %s: wall %.2f, CPU %.2f (targets: 0.5 at most); "
                 "peak RSS %.1f MiB against the largest of the four, %.1f "
                 "MiB (%.2f; target: 1 at most)." % (
                     dom, m["wall"] / seq["wall"], m["cpu"] / seq["cpu"],
                     m["rss"], rss4, m["rss"] / rss4))
    lines.append("")
    one, eight = fan[0].stats(), fan[1].stats()
    lines.append("Fan-out ratio (8 MX x 2 addresses / one host): wall %.2f."
                 % (eight["wall"] / one["wall"]))
    lines.append("")
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if a.out:
        with open(a.out, "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
