#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Meta tests: every plugin's option table (as --help prints it), its man
page in docs/, its Icinga CheckCommand in icinga-templates/ and the shared
options of INTERFACE.md agree; -h/-V exit 0, bad arguments exit 3 with an
UNKNOWN line (CONFORMANCE OUT-06). Ends with "N passed, N failed"."""
import argparse
import os
import re
import subprocess
import sys

LABELS = {
    "check_smtp_starttls": ("SMTP STARTTLS", "smtp_starttls"),
    "check_mta_sts": ("MTA-STS", "mta_sts"),
    "check_tlsa": ("TLSA", "tlsa"),
    "check_tlsrpt_record": ("TLSRPT", "tlsrpt_record"),
    "check_mailtls": ("MAILTLS", "mailtls"),
    "check_tlsrpt_reports": ("TLSRPT REPORTS", "tlsrpt_reports"),
}
# INTERFACE.md "Options every plugin takes"; -H and -p only where they apply.
SHARED = ["domain", "timeout", "timeout-result", "warning", "critical",
          "resolver", "trust-anchor", "cafile", "output-format", "verbose",
          "help", "version", "ipv4", "ipv6"]
# The options about DNS and connections: a plugin that reads files only
# (INTERFACE.md: check_tlsrpt_reports, "No DNS, no network") does not
# take them, rather than take and ignore them; the test checks it does not.
NETWORK = ["resolver", "trust-anchor", "cafile", "ipv4", "ipv6"]
FILES_ONLY = {"check_tlsrpt_reports"}

results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail))


def help_options(text):
    opts = []
    for line in text.splitlines():
        m = re.match(r"^  (?:-\S, )?(?:    )?--([a-z0-9-]+)", line)
        if m:
            opts.append(m.group(1))
    return opts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bindir", required=True)
    a = ap.parse_args()
    top = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    plugins = sorted(p for p in os.listdir(a.bindir)
                     if p.startswith("check_") and not p.endswith((".o", ".d")))
    check("at least one plugin built", len(plugins) > 0, a.bindir)
    for p in plugins:
        exe = os.path.join(a.bindir, p)
        label, cmd = LABELS.get(p, (None, None))
        check(f"{p}: known plugin", label is not None, "not in LABELS")
        if label is None:
            continue
        h = subprocess.run([exe, "--help"], capture_output=True, text=True,
                           timeout=10)
        check(f"{p}: --help exits 0", h.returncode == 0, str(h.returncode))
        opts = help_options(h.stdout)
        check(f"{p}: --help lists options", len(opts) >= 10, str(opts))
        v = subprocess.run([exe, "-V"], capture_output=True, text=True,
                           timeout=10)
        check(f"{p}: -V exits 0 with a version",
              v.returncode == 0 and re.search(r"\d+\.\d+", v.stdout),
              v.stdout)
        b = subprocess.run([exe, "--no-such-option"], capture_output=True,
                           text=True, timeout=10)
        check(f"{p}: a bad option exits 3 with '{label} UNKNOWN'",
              b.returncode == 3 and b.stdout.startswith(label + " UNKNOWN"),
              f"{b.returncode} {b.stdout!r}")
        # OUT-30: Nagios reads everything after the first '|' as perfdata,
        # and Icinga any line holding '|' and '=': none in --help, in the
        # usage line, or in the text of an error on our side (arguments
        # echoed back, file names of --cafile and --trust-anchor).
        check(f"{p}: OUT-30: no '|' in --help", "|" not in h.stdout,
              _bar_lines(h.stdout))
        for args in (["--no-such-option"], ["--no|such"], ["-D", "a|b"],
                     ["-H", "a|b"] if "hostname" in opts else ["-D", "a|b."],
                     ["-D", "example.invalid", "-t", "2",
                      "--trust-anchor", "/nonexistent/a|b",
                      "--cafile", "/nonexistent/c|d"]):
            e = subprocess.run([exe] + args, capture_output=True, text=True,
                               timeout=10)
            check(f"{p}: OUT-30: no '|' in the output of {' '.join(args)}",
                  e.returncode == 3 and "|" not in e.stdout + e.stderr,
                  f"{e.returncode} {_bar_lines(e.stdout + e.stderr)}")
        # libcurl is dlopen()ed at the first HTTPS fetch (common/https.c):
        # linked, its twenty-odd libraries would load on every run.
        d = subprocess.run(["readelf", "-d", exe], capture_output=True,
                           text=True, timeout=10)
        needed = re.findall(r"\(NEEDED\).*\[(.+)\]", d.stdout)
        check(f"{p}: libcurl not linked (loaded at the first fetch)",
              d.returncode == 0 and needed and
              not any("curl" in n for n in needed), " ".join(needed))
        check(f"{p}: libmicrohttpd and libyaml not linked (the exporter's)",
              d.returncode == 0 and
              not any("microhttpd" in n or "yaml" in n for n in needed),
              " ".join(needed))
        for s in SHARED:
            if p in FILES_ONLY and s in NETWORK:
                check(f"{p}: no network option --{s} (reads files only)",
                      s not in opts, "offered, but it would do nothing")
                continue
            check(f"{p}: shared option --{s} (INTERFACE.md)", s in opts,
                  "missing from --help")
        man = os.path.join(top, "docs", p + ".1")
        mtext = open(man).read() if os.path.exists(man) else ""
        check(f"{p}: man page docs/{p}.1 exists", bool(mtext), man)
        man_opts = set(m.replace("\\-", "-") for m in re.findall(
            r"\\-\\-([a-z0-9]+(?:\\-[a-z0-9]+)*)", mtext))
        for o in opts:
            check(f"{p}: --{o} in the man page", o in man_opts,
                  "undocumented in " + man)
        for o in sorted(man_opts - set(opts)):
            check(f"{p}: man page option --{o} exists", False,
                  "the plugin does not take it")
        tpl = os.path.join(top, "icinga-templates", cmd + ".conf")
        ttext = open(tpl).read() if os.path.exists(tpl) else ""
        check(f"{p}: Icinga template {cmd}.conf exists", bool(ttext), tpl)
        targs = set(re.findall(r'"--?([A-Za-z0-9-]+)"\s*=', ttext))
        for o in opts:
            if o in ("help", "version"):
                continue
            check(f"{p}: --{o} mapped in {cmd}.conf",
                  o in targs or any(len(t) == 1 for t in targs if
                                    f"\"-{t}\"" in ttext and
                                    _short(h.stdout, o) == t),
                  "not mapped")
    exporter_docs(top, a.bindir)
    n_ok = sum(1 for r in results if r)
    print(f"{n_ok} passed, {len(results) - n_ok} failed")
    return 0 if n_ok == len(results) else 1


def exporter_docs(top, bindir):
    """mailtls_exporter is no check_ plugin (no Nagios output, no
    template): its --help options and its man page must agree, both
    ways, and -V must work."""
    exe = os.path.join(bindir, "..", "exporter", "mailtls_exporter")
    check("mailtls_exporter built", os.access(exe, os.X_OK), exe)
    if not os.access(exe, os.X_OK):
        return
    h = subprocess.run([exe, "--help"], capture_output=True, text=True,
                       timeout=10)
    opts = re.findall(r"^  (?:-\S, )?(?:    )?--([a-z0-9][a-z0-9.-]*)",
                      h.stdout, re.M)
    check("mailtls_exporter: --help exits 0 and lists options",
          h.returncode == 0 and len(opts) >= 8, str(opts))
    v = subprocess.run([exe, "-V"], capture_output=True, text=True,
                       timeout=10)
    check("mailtls_exporter: -V exits 0 with a version",
          v.returncode == 0 and re.search(r"\d+\.\d+", v.stdout), v.stdout)
    b = subprocess.run([exe, "--no-such-option"], capture_output=True,
                       text=True, timeout=10)
    check("mailtls_exporter: a bad flag exits 2", b.returncode == 2,
          str(b.returncode))
    man = os.path.join(top, "docs", "mailtls_exporter.1")
    mtext = open(man).read() if os.path.exists(man) else ""
    check("mailtls_exporter: man page docs/mailtls_exporter.1 exists",
          bool(mtext), man)
    man_opts = set(m.replace("\\-", "-") for m in re.findall(
        r"\\-\\-([a-z0-9]+(?:(?:\\-|\.)[a-z0-9]+)*)", mtext))
    for o in opts:
        check(f"mailtls_exporter: --{o} in the man page", o in man_opts,
              "undocumented in " + man)
    for o in sorted(man_opts - set(opts)):
        check(f"mailtls_exporter: man page option --{o} exists", False,
              "the exporter does not take it")


def _bar_lines(text):
    return " / ".join(repr(l) for l in text.splitlines() if "|" in l)


def _short(helptext, long):
    m = re.search(r"^  -(\S), --" + re.escape(long) + r"\b", helptext, re.M)
    return m.group(1) if m else None


if __name__ == "__main__":
    sys.exit(main())
